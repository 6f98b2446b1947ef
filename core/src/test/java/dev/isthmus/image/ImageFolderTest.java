package dev.isthmus.image;

import dev.isthmus.data.DatasetException;
import dev.isthmus.data.Normalization;
import dev.isthmus.data.Split;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageFolderTest {
    private static final ImagePreparation RESIZE = new ImagePreparation(ImagePreparation.Style.RESIZE, ImagePreparation.Polarity.AUTO, 28, 28);

    @TempDir
    Path root;

    private void image(String path, int rows, int columns, int level) {
        byte[] pixels = new byte[rows * columns];
        for (int y = rows / 4; y < rows * 3 / 4; y++) {
            for (int x = columns / 4; x < columns * 3 / 4; x++) pixels[y * columns + x] = (byte) level;
        }
        String format = path.substring(path.lastIndexOf('.') + 1);
        ImageTrees.write(ImageTrees.gray(rows, columns, pixels, 0), format, root.resolve(path));
    }

    @Test
    void classesAreSortedByNameAndOtherFilesAreSkippedAndCounted() throws IOException {
        image("zebra/1.png", 28, 28, 200);
        image("apple/b.bmp", 40, 30, 100); // mixed sizes are resized
        image("apple/a.pgm", 28, 28, 120);
        image("Mango/x/deep.png", 28, 28, 50); // upper case sorts first, as Python sorts; files are found recursively
        Files.writeString(root.resolve("apple/notes.txt"), "not an image");
        Files.writeString(root.resolve("README"), "a file at the top is not a class");
        ImageFolder folder = ImageFolder.scan(root);
        assertEquals(List.of("Mango", "apple", "zebra"), folder.classNames());
        assertEquals(List.of(root.resolve("Mango/x/deep.png"), root.resolve("apple/a.pgm"), root.resolve("apple/b.bmp"), root.resolve("zebra/1.png")),
                folder.samples().stream().map(ImageFolder.Sample::file).toList());
        assertEquals(List.of(0, 1, 1, 2), folder.samples().stream().map(ImageFolder.Sample::label).toList());
        assertEquals(1, folder.skippedFiles());

        Split split = ImageFolder.load("all", folder.samples(), RESIZE, Normalization.MNIST);
        assertEquals(4, split.size());
        assertEquals(28, split.rows());
        assertEquals(1, split.label(2));
        assertEquals(Normalization.MNIST.apply(120), split.image(1)[14 * 28 + 14]);
        assertEquals(Normalization.MNIST.apply(0), split.image(1)[0]);
    }

    @Test
    void emptyFoldersAndUndecodableImagesAreErrorsNamingThem() throws IOException {
        DatasetException none = assertThrows(DatasetException.class, () -> ImageFolder.scan(root));
        assertTrue(none.getMessage().startsWith(root + ": has no class folders"), none.getMessage());
        DatasetException missing = assertThrows(DatasetException.class, () -> ImageFolder.scan(root.resolve("absent")));
        assertTrue(missing.getMessage().contains("is not a folder"), missing.getMessage());

        image("cat/1.png", 28, 28, 10);
        Files.createDirectories(root.resolve("dog"));
        Files.writeString(root.resolve("dog/readme.txt"), "no images here");
        DatasetException empty = assertThrows(DatasetException.class, () -> ImageFolder.scan(root));
        assertTrue(empty.getMessage().startsWith(root.resolve("dog") + ": class folder has no image file"), empty.getMessage());

        Files.writeString(root.resolve("dog/fake.png"), "text pretending to be a PNG");
        ImageFolder folder = ImageFolder.scan(root);
        DatasetException undecodable = assertThrows(DatasetException.class, () -> ImageFolder.load("all", folder.samples(), RESIZE, Normalization.MNIST));
        assertTrue(undecodable.getMessage().startsWith(root.resolve("dog/fake.png") + ": not an image"), undecodable.getMessage());
    }

    @Test
    void theValidationSplitIsSeededDisjointAndComplete() {
        for (int i = 0; i < 30; i++) image((i % 3) + "/" + i + ".png", 28, 28, i);
        ImageFolder folder = ImageFolder.scan(root);
        List<List<ImageFolder.Sample>> a = folder.split(0.1, 42);
        assertEquals(a, folder.split(0.1, 42));
        assertNotEquals(a.get(1), folder.split(0.1, 43).get(1));
        assertEquals(3, a.get(1).size());
        assertEquals(27, a.get(0).size());
        Set<ImageFolder.Sample> all = new HashSet<>(a.get(0));
        all.addAll(a.get(1));
        assertEquals(new HashSet<>(folder.samples()), all);
        assertThrows(IllegalArgumentException.class, () -> folder.split(1.0, 1));
    }

    @Test
    void mnistTestImagesWrittenAsATreeLoadAsTheirOwnPixels() {
        var images = ImageTrees.mnistTestImages();
        var labels = ImageTrees.mnistTestLabels();
        ImageTrees.writeTree(root, images, labels, 5);
        ImageFolder folder = ImageFolder.scan(root);
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), folder.classNames());
        ImagePreparation mnist = new ImagePreparation(ImagePreparation.Style.MNIST_DIGIT, ImagePreparation.Polarity.AUTO, 28, 28);
        Split split = ImageFolder.load("tree", folder.samples(), mnist, Normalization.MNIST);
        float[] table = Normalization.MNIST.table();
        for (int s = 0; s < split.size(); s++) {
            String name = folder.samples().get(s).file().getFileName().toString();
            int index = Integer.parseInt(name.substring(0, name.indexOf('.')));
            float[] expected = new float[28 * 28];
            for (int p = 0; p < expected.length; p++) expected[p] = table[images.pixels()[index * 784 + p] & 0xFF];
            assertArrayEquals(expected, split.image(s), name);
            assertEquals(labels.labels()[index], split.label(s));
        }
    }
}
