package dev.isthmus.data;

import dev.isthmus.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static dev.isthmus.data.IdxFixtures.labels;
import static dev.isthmus.data.IdxFixtures.smallDataset;
import static dev.isthmus.data.IdxFixtures.write;
import static dev.isthmus.data.IdxFixtures.writeAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetTest {
    @TempDir
    Path dir;

    @Test
    void loadsBothSplitsNormalised() {
        writeAll(dir, smallDataset(), false);
        Dataset dataset = Dataset.load(DatasetKind.MNIST, dir);
        assertEquals(5, dataset.train().size());
        assertEquals(3, dataset.test().size());
        assertEquals(Shape.of(1, 4, 3), dataset.train().sampleShape());
        assertEquals(9, dataset.train().label(4));
        assertEquals(7, dataset.test().label(0));
        // Pixel 13 of the training file is image 1, position 1: byte 13.
        assertEquals(((float) 13 / 255f - 0.1307f) / 0.3081f, dataset.train().image(1)[1]);
        // Test images start at byte 100.
        assertEquals(((float) 100 / 255f - 0.1307f) / 0.3081f, dataset.test().image(0)[0]);
    }

    @Test
    void compressedAndRawFilesGiveTheSameData() {
        Path raw = dir.resolve("raw");
        Path gz = dir.resolve("gz");
        writeAll(mkdir(raw), smallDataset(), false);
        writeAll(mkdir(gz), smallDataset(), true);
        Dataset a = Dataset.load(DatasetKind.MNIST, raw);
        Dataset b = Dataset.load(DatasetKind.MNIST, gz);
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(a.train().image(i), b.train().image(i));
            assertEquals(a.train().label(i), b.train().label(i));
        }
    }

    @Test
    void normalisationMatchesTorchvisionInFloat32() {
        Normalization mnist = Normalization.MNIST;
        // (0/255 - 0.1307)/0.3081 and (255/255 - 0.1307)/0.3081 evaluated in float32, as ToTensor + Normalize do.
        assertEquals(-0.42421296f, mnist.apply(0));
        assertEquals(2.8214867f, mnist.apply(255));
        float[] table = mnist.table();
        assertEquals(256, table.length);
        for (int b = 1; b < 256; b++) assertTrue(table[b] > table[b - 1], "normalisation must increase with the pixel value");
        assertEquals(Normalization.FASHION_MNIST, DatasetKind.FASHION_MNIST.normalization());
    }

    @Test
    void imageAndLabelCountsMustAgree() {
        Map<DataFile, byte[]> files = smallDataset();
        files.put(DataFile.TRAIN_LABELS, labels(1, 2, 3, 4));
        writeAll(dir, files, false);
        DatasetException e = assertThrows(DatasetException.class, () -> Dataset.load(DatasetKind.MNIST, dir));
        assertTrue(e.getMessage().contains("holds 4 labels but train-images-idx3-ubyte holds 5 images"), e.getMessage());
        assertTrue(e.getMessage().endsWith(DatasetKind.MNIST.fixHint()), e.getMessage());
    }

    @Test
    void splitsMustHaveEqualImageSizes() {
        Map<DataFile, byte[]> files = smallDataset();
        files.put(DataFile.TEST_IMAGES, IdxFixtures.images(3, 3, 4, 0));
        writeAll(dir, files, false);
        DatasetException e = assertThrows(DatasetException.class, () -> Dataset.load(DatasetKind.MNIST, dir));
        assertTrue(e.getMessage().contains("train images are 4x3 but test images are 3x4"), e.getMessage());
    }

    @Test
    void missingFileNamesTheFileAndTheFix() {
        Map<DataFile, byte[]> files = smallDataset();
        files.remove(DataFile.TEST_LABELS);
        writeAll(dir, files, false);
        DatasetException e = assertThrows(DatasetException.class, () -> Dataset.load(DatasetKind.FASHION_MNIST, dir));
        assertTrue(e.getMessage().startsWith(dir.resolve("t10k-labels-idx1-ubyte") + ": not found (nor t10k-labels-idx1-ubyte.gz)"), e.getMessage());
        assertTrue(e.getMessage().contains("isthmus data fetch --dataset fashion-mnist"), e.getMessage());
        DatasetException noFolder = assertThrows(DatasetException.class, () -> Dataset.load(DatasetKind.MNIST, dir.resolve("absent")));
        assertTrue(noFolder.getMessage().contains("data folder does not exist"), noFolder.getMessage());
    }

    @Test
    void rawFileIsPreferredOverCompressedCopy() {
        writeAll(dir, smallDataset(), false);
        write(dir, DataFile.TRAIN_LABELS.gzipFileName(), new byte[]{1, 2, 3});
        assertEquals(dir.resolve(DataFile.TRAIN_LABELS.fileName()), DataFile.TRAIN_LABELS.locate(dir));
        assertEquals(5, Dataset.load(DatasetKind.MNIST, dir).train().size());
    }

    @Test
    void firstGivesAShorterSplit() {
        writeAll(dir, smallDataset(), false);
        Dataset dataset = Dataset.load(DatasetKind.MNIST, dir);
        Dataset small = dataset.first(2, 10);
        assertEquals(2, small.train().size());
        assertSame(dataset.test(), small.test());
        assertArrayEquals(dataset.train().image(1), small.train().image(1));
        assertEquals("train[:2]", small.train().name());
        assertThrows(IndexOutOfBoundsException.class, () -> small.train().image(2));
    }

    @Test
    void datasetNamesParse() {
        assertEquals(DatasetKind.MNIST, DatasetKind.parse("mnist"));
        assertEquals(DatasetKind.FASHION_MNIST, DatasetKind.parse("Fashion-MNIST"));
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetKind.parse("cifar10"));
        assertTrue(e.getMessage().contains("unknown dataset 'cifar10' (expected one of: mnist, fashion-mnist)"), e.getMessage());
        assertEquals(47_040_016L, DatasetKind.MNIST.expectedBytes(DataFile.TRAIN_IMAGES));
        assertEquals(10_008L, DatasetKind.MNIST.expectedBytes(DataFile.TEST_LABELS));
    }

    private static Path mkdir(Path path) {
        try {
            return java.nio.file.Files.createDirectories(path);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
