package dev.isthmus.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes a data folder in MNIST's format (the four raw IDX files, 28×28 images, labels 0–9) holding a
 * handful of seeded random images, so CLI tests train and evaluate in seconds without the real data.
 * The files load with {@code Dataset.load}; their digests differ from MNIST's, which {@code data verify}
 * reports but training accepts.
 */
public final class TinyMnist {
    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";
    public static final int SIDE = 28;

    private TinyMnist() {
    }

    /** Writes {@code trainCount} training and {@code testCount} test images into {@code folder} (created) and returns it. */
    public static Path write(Path folder, int trainCount, int testCount, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        try {
            Files.createDirectories(folder);
            Files.write(folder.resolve(TRAIN_IMAGES), images(trainCount, SIDE, SIDE, random));
            Files.write(folder.resolve(TRAIN_LABELS), labels(trainCount, random));
            Files.write(folder.resolve(TEST_IMAGES), images(testCount, SIDE, SIDE, random));
            Files.write(folder.resolve(TEST_LABELS), labels(testCount, random));
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An IDX image file: magic 0x803, count, rows, columns, then one byte per pixel. */
    public static byte[] images(int count, int rows, int columns, SplittableRandom random) {
        ByteBuffer buffer = ByteBuffer.allocate(16 + count * rows * columns);
        buffer.putInt(0x00000803).putInt(count).putInt(rows).putInt(columns);
        for (int i = 0; i < count * rows * columns; i++) buffer.put((byte) random.nextInt(256));
        return buffer.array();
    }

    /** An IDX label file: magic 0x801, count, then one class index 0–9 per byte. */
    public static byte[] labels(int count, SplittableRandom random) {
        ByteBuffer buffer = ByteBuffer.allocate(8 + count);
        buffer.putInt(0x00000801).putInt(count);
        for (int i = 0; i < count; i++) buffer.put((byte) random.nextInt(10));
        return buffer.array();
    }

    /** Replaces one file of the folder with {@code content} (corrupting it on purpose). */
    public static void replace(Path folder, String file, byte[] content) {
        try {
            Files.write(folder.resolve(file), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
