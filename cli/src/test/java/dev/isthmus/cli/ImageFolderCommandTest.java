package dev.isthmus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.isthmus.checkpoint.SafeTensors;
import dev.isthmus.image.ImageTrees;
import dev.isthmus.infer.InputSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train, eval and predict on image folders (torchvision's ImageFolder layout) given as --data DIR. */
class ImageFolderCommandTest {
    private static final List<String> SHAPES = List.of("bar", "column", "dot");

    @TempDir
    Path temp;

    /** {@code perClass} images per class of random sizes: a horizontal bar, a vertical one, or a dot, white on black. */
    private static Path shapesTree(Path root, int perClass, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int c = 0; c < SHAPES.size(); c++) {
            for (int i = 0; i < perClass; i++) {
                int rows = 20 + random.nextInt(40), columns = 20 + random.nextInt(40);
                byte[] pixels = new byte[rows * columns];
                for (int y = rows / 4; y < rows * 3 / 4; y++) {
                    for (int x = columns / 4; x < columns * 3 / 4; x++) {
                        boolean ink = switch (c) {
                            case 0 -> Math.abs(y - rows / 2) < 3;
                            case 1 -> Math.abs(x - columns / 2) < 3;
                            default -> Math.abs(y - rows / 2) < 4 && Math.abs(x - columns / 2) < 4;
                        };
                        if (ink) pixels[y * columns + x] = (byte) (180 + random.nextInt(76));
                    }
                }
                String format = i % 2 == 0 ? "png" : "bmp";
                ImageTrees.write(ImageTrees.gray(rows, columns, pixels, 0), format, root.resolve(SHAPES.get(c)).resolve(i + "." + format));
            }
        }
        return root;
    }

    private static CliRunner run(String... args) {
        CliRunner result = CliRunner.run(args);
        assertEquals(0, result.exitCode(), String.join(" ", args) + "\n" + result.err());
        return result;
    }

    /** Predict's confusion matrix for a tree, the actual class being each file's class folder. */
    private static int[][] predictConfusion(Path checkpoint, Path tree, List<String> classes) throws IOException {
        CliRunner predicted = run("predict", "--checkpoint", checkpoint.toString(), "--backend", "reference", "--json", "--top", "1", tree.toString());
        int[][] confusion = new int[classes.size()][classes.size()];
        JsonNode document = JsonMapper.builder().build().readTree(predicted.out());
        for (JsonNode entry : document.get("predictions")) {
            String actual = Path.of(entry.get("file").asText()).getParent().getFileName().toString();
            JsonNode best = entry.get("top").get(0);
            assertEquals(classes.get(best.get("index").asInt()), best.get("name").asText());
            confusion[classes.indexOf(actual)][best.get("index").asInt()]++;
        }
        return confusion;
    }

    @Test
    void trainEvalAndPredictAgreeOnAFolderOfMixedSizes() throws IOException {
        Path tree = shapesTree(temp.resolve("shapes"), 8, 1);
        Files.writeString(tree.resolve("dot/README.txt"), "not an image");
        Path out = temp.resolve("run");
        CliRunner train = run("train", "--backend", "reference", "--no-progress", "--data", tree.toString(), "--val-split", "0.25",
                "--epochs", "2", "--batch-size", "4", "--out", out.toString());
        assertTrue(train.out().contains("image folder " + tree + ": 18 train / 6 test images"), train.out());
        assertTrue(train.err().contains("skipped 1 file(s)"), train.err());
        Path checkpoint = out.resolve("model.safetensors");
        Map<String, String> metadata = SafeTensors.read(checkpoint).metadata();
        assertEquals("[\"bar\",\"column\",\"dot\"]", metadata.get(InputSpec.CLASS_NAMES));
        assertEquals("image-folder", metadata.get(InputSpec.DATASET));

        CliRunner eval = run("eval", "--checkpoint", checkpoint.toString(), "--backend", "reference", "--data", tree.toString());
        assertTrue(eval.out().contains("(24 images"), eval.out());
        assertArrayEquals(PredictCommandTest.evalConfusion(eval.out(), 3), predictConfusion(checkpoint, tree, SHAPES));
        CliRunner held = run("eval", "--checkpoint", checkpoint.toString(), "--backend", "reference", "--data", tree.toString(), "--val-split", "0.25");
        assertTrue(held.out().contains("(6 images"), held.out());

        Path val = shapesTree(temp.resolve("val"), 2, 2);
        CliRunner withVal = run("train", "--backend", "reference", "--no-progress", "--data", tree.toString(), "--val", val.toString(),
                "--epochs", "1", "--batch-size", "4", "--out", temp.resolve("run2").toString(), "--model", "resnet", "--preparation", "mnist-digit");
        assertTrue(withVal.out().contains("24 train / 6 test images"), withVal.out());
        assertEquals("mnist-digit", SafeTensors.read(temp.resolve("run2/model.safetensors")).metadata().get(InputSpec.PREPARATION));
        Path checkpoint2 = temp.resolve("run2/model.safetensors");
        CliRunner evalVal = run("eval", "--checkpoint", checkpoint2.toString(), "--backend", "reference", "--data", tree.toString(), "--val", val.toString());
        assertTrue(evalVal.out().contains("on image folder " + val + " (6 images"), evalVal.out());
        assertArrayEquals(PredictCommandTest.evalConfusion(evalVal.out(), 3), predictConfusion(checkpoint2, val, SHAPES));

        Path renamed = Files.createDirectories(temp.resolve("renamed"));
        Files.move(val.resolve("dot"), renamed.resolve("spot"));
        Files.move(val.resolve("bar"), renamed.resolve("bar"));
        Files.move(val.resolve("column"), renamed.resolve("column"));
        CliRunner mismatch = CliRunner.run("eval", "--checkpoint", checkpoint2.toString(), "--backend", "reference", "--data", renamed.toString());
        assertEquals(2, mismatch.exitCode());
        assertTrue(mismatch.err().contains(renamed + ": class folders [bar, column, spot] differ from the model's classes [bar, column, dot]"), mismatch.err());
    }

    @Test
    void badFoldersAreOneLineNamingTheFolder() throws IOException {
        Path tree = shapesTree(temp.resolve("shapes"), 2, 3);
        Files.createDirectories(tree.resolve("empty"));
        Files.writeString(tree.resolve("empty/list.csv"), "a,b");
        CliRunner empty = CliRunner.run("train", "--backend", "reference", "--data", tree.toString(), "--epochs", "1");
        assertEquals(2, empty.exitCode());
        assertTrue(empty.err().strip().endsWith("isthmus: " + tree.resolve("empty") + ": class folder has no image file"
                + " (expected at least one file ending in one of [bmp, gif, jpeg, jpg, pgm, png, pnm, ppm]); add images or remove the folder"), empty.err());

        Path other = shapesTree(temp.resolve("other"), 2, 4);
        Files.writeString(other.resolve("bar/0.png"), "broken");
        CliRunner broken = CliRunner.run("train", "--backend", "reference", "--data", other.toString(), "--epochs", "1");
        assertEquals(2, broken.exitCode());
        assertTrue(broken.err().strip().endsWith(other.resolve("bar/0.png") + ": not an image in a format ImageIO can read"
                + " (PNG, JPEG, GIF, BMP or PGM); convert it or remove it"), broken.err());

        CliRunner both = CliRunner.run("train", "--backend", "reference", "--data", other.toString(), "--val", other.toString(), "--val-split", "0.5");
        assertEquals(2, both.exitCode());
        assertTrue(both.err().contains("--val and --val-split exclude each other"), both.err());

        CliRunner compare = CliRunner.run("compare", "--steps", "1", "--a", "reference", "--b", "reference", "--data", other.toString());
        assertEquals(2, compare.exitCode(), compare.err());
        assertTrue(compare.err().contains(other + " is an image folder"), "nothing is fetched into it: " + compare.err());
        assertTrue(Files.notExists(other.resolve("train-images-idx3-ubyte")));
    }

    @Test
    void aTreeOfMnistTestDigitsTrainsAndPredictAgreesWithEval() throws IOException {
        var images = ImageTrees.mnistTestImages();
        Path tree = ImageTrees.writeTree(temp.resolve("digits"), images, ImageTrees.mnistTestLabels(), 50);
        Path out = temp.resolve("run");
        CliRunner train = run("train", "--backend", "reference", "--no-progress", "--data", tree.toString(), "--val-split", "0.1",
                "--epochs", "1", "--batch-size", "8", "--preparation", "mnist-digit", "--out", out.toString());
        assertTrue(train.out().contains("450 train / 50 test images"), train.out());
        Path checkpoint = out.resolve("model.safetensors");
        CliRunner eval = run("eval", "--checkpoint", checkpoint.toString(), "--backend", "reference", "--data", tree.toString());
        List<String> digits = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        int[][] confusion = PredictCommandTest.evalConfusion(eval.out(), 10);
        assertArrayEquals(confusion, predictConfusion(checkpoint, tree, digits));
        int correct = 0;
        for (int c = 0; c < 10; c++) correct += confusion[c][c];
        System.out.println("ImageFolderCommandTest: 1 epoch on 450 MNIST digits from a folder: " + correct + " of 500 correct");
        assertTrue(correct > 100, "better than chance (50 of 500): " + eval.out());
    }
}
