package dev.isthmus.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** Builds small IDX files in memory for tests. */
final class IdxFixtures {
    private IdxFixtures() {
    }

    /** An image file: header then pixel {@code i} of the whole file = {@code (seed + i) % 256}. */
    static byte[] images(int count, int rows, int columns, int seed) {
        ByteBuffer buffer = ByteBuffer.allocate(16 + count * rows * columns);
        buffer.putInt(0x00000803).putInt(count).putInt(rows).putInt(columns);
        for (int i = 0; i < count * rows * columns; i++) buffer.put((byte) (seed + i));
        return buffer.array();
    }

    static byte[] labels(int... labels) {
        ByteBuffer buffer = ByteBuffer.allocate(8 + labels.length);
        buffer.putInt(0x00000801).putInt(labels.length);
        for (int label : labels) buffer.put((byte) label);
        return buffer.array();
    }

    /** A header with arbitrary fields followed by {@code payload} bytes of zeros. */
    static byte[] header(int magic, int[] dims, int payload) {
        ByteBuffer buffer = ByteBuffer.allocate(4 + 4 * dims.length + payload);
        buffer.putInt(magic);
        for (int d : dims) buffer.putInt(d);
        return buffer.array();
    }

    static byte[] gzip(byte[] content) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static Path write(Path folder, String name, byte[] content) {
        try {
            return Files.write(folder.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A complete small dataset: 5 training and 3 test images of 4×3 pixels. */
    static Map<DataFile, byte[]> smallDataset() {
        Map<DataFile, byte[]> files = new EnumMap<>(DataFile.class);
        files.put(DataFile.TRAIN_IMAGES, images(5, 4, 3, 0));
        files.put(DataFile.TRAIN_LABELS, labels(5, 0, 4, 1, 9));
        files.put(DataFile.TEST_IMAGES, images(3, 4, 3, 100));
        files.put(DataFile.TEST_LABELS, labels(7, 2, 1));
        return files;
    }

    static void writeAll(Path folder, Map<DataFile, byte[]> files, boolean gzip) {
        files.forEach((file, content) -> write(folder, gzip ? file.gzipFileName() : file.fileName(), gzip ? gzip(content) : content));
    }

    static Map<DataFile, FilePin> pinsOf(Map<DataFile, byte[]> files) {
        Map<DataFile, FilePin> pins = new EnumMap<>(DataFile.class);
        files.forEach((file, content) -> pins.put(file, new FilePin(content.length, sha256(content))));
        return pins;
    }
}
