package dev.isthmus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.isthmus.data.IdxImages;
import dev.isthmus.data.IdxLabels;
import dev.isthmus.data.IdxReader;
import dev.isthmus.image.ImageTrees;
import dev.isthmus.reliability.TinyMnist;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code isthmus predict} on images written from a tiny MNIST-format set: it classifies them as
 * {@code eval} does, and bad inputs get one line each without stopping the others.
 */
class PredictCommandTest {
    private static final int TEST_IMAGES = 24;

    @TempDir
    static Path shared;
    private static Path data;
    private static Path checkpoint;
    private static Path images;
    private static int[] labels;

    @TempDir
    Path temp;

    @BeforeAll
    static void trainAndWriteImages() {
        data = TinyMnist.write(shared.resolve("data"), 32, TEST_IMAGES, 3);
        CliRunner result = CliRunner.run("train", "--backend", "reference", "--no-progress", "--data", data.toString(),
                "--out", shared.resolve("run").toString(), "--epochs", "1", "--batch-size", "8");
        assertEquals(0, result.exitCode(), result.err());
        checkpoint = shared.resolve("run/model.safetensors");
        darkenBorders(data.resolve(TinyMnist.TEST_IMAGES));
        IdxImages test = IdxReader.readImages(data.resolve(TinyMnist.TEST_IMAGES), "");
        labels = IdxReader.readLabels(data.resolve(TinyMnist.TEST_LABELS), 10, "").labels();
        images = shared.resolve("images");
        String[] formats = {"png", "bmp", "gif", "pgm"};
        for (int i = 0; i < test.count(); i++) {
            String format = formats[i % formats.length];
            ImageTrees.write(ImageTrees.gray(28, 28, test.pixels(), i * 784), format, images.resolve(String.format("%03d.%s", i, format)));
        }
    }

    /**
     * TinyMnist's images are noise, light on the border half the time; MNIST's digits have a black border, and
     * predict's automatic polarity keeps such images as they are. A 4-pixel black frame makes the noise digit-like.
     */
    private static void darkenBorders(Path idxImages) {
        try {
            byte[] bytes = Files.readAllBytes(idxImages);
            for (int i = 16; i < bytes.length; i++) {
                int y = (i - 16) % 784 / 28, x = (i - 16) % 28;
                if (y < 4 || y >= 24 || x < 4 || x >= 24) bytes[i] = 0;
            }
            Files.write(idxImages, bytes);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static JsonNode json(CliRunner result) throws IOException {
        return JsonMapper.builder().build().readTree(result.out());
    }

    /** The confusion matrix eval prints, rows actual, columns predicted. */
    static int[][] evalConfusion(String out, int classes) {
        List<String> lines = out.lines().toList();
        int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("confusion matrix")).findFirst().orElseThrow());
        int[][] confusion = new int[classes][classes];
        for (int actual = 0; actual < classes; actual++) {
            String[] cells = lines.get(header + 2 + actual).trim().split("\\s+");
            for (int p = 0; p < classes; p++) confusion[actual][p] = Integer.parseInt(cells[1 + p]);
        }
        return confusion;
    }

    @Test
    void predictionsEqualEvalsOnTheSameImagesInEveryLosslessFormat() throws IOException {
        CliRunner predicted = CliRunner.run("predict", "--checkpoint", checkpoint.toString(), "--backend", "reference", "--json",
                "--top", "10", "--batch-size", "5", images.toString());
        assertEquals(0, predicted.exitCode(), predicted.err());
        JsonNode document = json(predicted);
        assertEquals(TEST_IMAGES, document.get("predictions").size());
        assertEquals("cnn", document.get("model").asText());
        int[][] confusion = new int[10][10];
        for (JsonNode entry : document.get("predictions")) {
            String name = Path.of(entry.get("file").asText()).getFileName().toString();
            int index = Integer.parseInt(name.substring(0, 3));
            assertEquals(10, entry.get("top").size());
            double sum = 0;
            for (JsonNode scored : entry.get("top")) sum += scored.get("probability").asDouble();
            assertEquals(1, sum, 1e-5);
            JsonNode best = entry.get("top").get(0);
            assertEquals(Integer.toString(best.get("index").asInt()), best.get("name").asText(), "MNIST's class names are its digits");
            confusion[labels[index]][best.get("index").asInt()]++;
        }
        CliRunner eval = CliRunner.run("eval", "--checkpoint", checkpoint.toString(), "--backend", "reference", "--data", data.toString());
        assertEquals(0, eval.exitCode(), eval.err());
        assertArrayEquals(evalConfusion(eval.out(), 10), confusion);
    }

    @Test
    void textOutputShowsTheTopClassesPerFile() {
        Path one = images.resolve("000.png");
        CliRunner result = CliRunner.run("predict", "--checkpoint", checkpoint.toString(), "--backend", "reference", one.toString());
        assertEquals(0, result.exitCode(), result.err());
        String line = result.out().strip();
        assertTrue(line.matches(java.util.regex.Pattern.quote(one.toString()) + ": \\d \\d+\\.\\d\\d%, \\d \\d+\\.\\d\\d%, \\d \\d+\\.\\d\\d%"), line);
    }

    @Test
    void badFilesGetOneLineEachAndTheOthersAreStillClassified() throws IOException {
        Path folder = Files.createDirectories(temp.resolve("mixed"));
        Files.copy(images.resolve("000.png"), folder.resolve("a.png"));
        Files.writeString(folder.resolve("b.png"), "text, not a PNG");
        Files.write(folder.resolve("c.bmp"), new byte[]{'B', 'M', 1, 2, 3});
        Files.copy(images.resolve("001.bmp"), folder.resolve("d.bmp"));
        Files.writeString(folder.resolve("notes.txt"), "skipped, not an image name");
        Path missing = temp.resolve("absent.png");
        Path noImages = Files.createDirectories(temp.resolve("empty"));
        CliRunner result = CliRunner.run("predict", "--checkpoint", checkpoint.toString(), "--backend", "reference",
                folder.toString(), missing.toString(), noImages.toString());
        assertEquals(2, result.exitCode(), result.err());
        List<String> out = result.out().lines().toList();
        assertEquals(2, out.size(), result.out());
        assertTrue(out.get(0).startsWith(folder.resolve("a.png") + ": "));
        assertTrue(out.get(1).startsWith(folder.resolve("d.bmp") + ": "));
        List<String> errors = result.err().lines().filter(l -> l.startsWith("isthmus: ")).toList();
        assertEquals(5, errors.size(), result.err());
        assertTrue(errors.get(0).startsWith("isthmus: " + noImages + ": folder holds no image file"), errors.get(0));
        assertTrue(errors.get(1).startsWith("isthmus: " + folder.resolve("b.png") + ": "), errors.get(1));
        assertTrue(errors.get(2).startsWith("isthmus: " + folder.resolve("c.bmp") + ": "), errors.get(2));
        assertTrue(errors.get(3).startsWith("isthmus: " + missing + ": no such file"), errors.get(3));
        assertTrue(errors.get(4).contains("4 input(s) could not be classified"), errors.get(4));
        assertTrue(result.err().contains("note: skipped 1 file(s) in " + folder), result.err());
        assertFalse(result.err().contains("\tat "), "no stack trace");

        CliRunner fast = CliRunner.run("predict", "--checkpoint", checkpoint.toString(), "--backend", "reference", "--fail-fast",
                folder.toString(), missing.toString());
        assertEquals(2, fast.exitCode());
        assertEquals(1, fast.out().lines().count(), "stops at b.png, after a.png: " + fast.out());
        assertEquals(1, fast.err().lines().filter(l -> l.startsWith("isthmus: ")).count(), fast.err());
    }

    @Test
    void jsonListsTheErrorsToo() throws IOException {
        Path bad = Files.writeString(temp.resolve("x.gif"), "not a gif");
        CliRunner result = CliRunner.run("predict", "--checkpoint", checkpoint.toString(), "--backend", "reference", "--json", "--top", "2",
                images.resolve("002.gif").toString(), bad.toString());
        assertEquals(2, result.exitCode());
        JsonNode document = json(result);
        assertEquals(1, document.get("predictions").size());
        assertEquals(2, document.get("predictions").get(0).get("top").size());
        assertEquals(1, document.get("errors").size());
        assertTrue(document.get("errors").get(0).asText().startsWith(bad.toString()));
    }

    @Test
    void aCheckpointOfAnotherModelOrBadOptionsAreOneLine() throws IOException {
        List<CliRunner> runs = new ArrayList<>();
        runs.add(CliRunner.run("predict", "--checkpoint", checkpoint.toString(), "--backend", "reference", "--model", "inception",
                images.resolve("000.png").toString()));
        Path notACheckpoint = Files.writeString(temp.resolve("x.safetensors"), "nope");
        runs.add(CliRunner.run("predict", "--checkpoint", notACheckpoint.toString(), "--backend", "reference", images.resolve("000.png").toString()));
        runs.add(CliRunner.run("predict", "--checkpoint", checkpoint.toString(), "--top", "0", images.resolve("000.png").toString()));
        runs.add(CliRunner.run("predict", "--checkpoint", checkpoint.toString(), "--invert=sometimes", images.resolve("000.png").toString()));
        runs.add(CliRunner.run("predict", "--checkpoint", checkpoint.toString()));
        String[] named = {checkpoint.toString(), notACheckpoint.toString(), "--top", "sometimes", "IMAGE|DIR"};
        for (int i = 0; i < runs.size(); i++) {
            CliRunner run = runs.get(i);
            assertEquals(2, run.exitCode(), run.err());
            List<String> lines = run.err().lines().filter(l -> !l.startsWith("backend:")).toList();
            assertEquals(1, lines.size(), run.err());
            assertTrue(lines.getFirst().startsWith("isthmus: ") && lines.getFirst().contains(named[i]), lines.getFirst());
        }
    }

    @Test
    void invertingChangesWhatTheModelSees() throws IOException {
        Path one = images.resolve("000.png");
        JsonNode plain = json(CliRunner.run("predict", "--checkpoint", checkpoint.toString(), "--backend", "reference", "--json", one.toString()));
        JsonNode auto = json(CliRunner.run("predict", "--checkpoint", checkpoint.toString(), "--backend", "reference", "--json", "--invert=auto", one.toString()));
        JsonNode inverted = json(CliRunner.run("predict", "--checkpoint", checkpoint.toString(), "--backend", "reference", "--json", "--invert", one.toString()));
        assertEquals(plain.get("predictions"), auto.get("predictions"));
        assertFalse(plain.get("predictions").equals(inverted.get("predictions")));
    }
}
