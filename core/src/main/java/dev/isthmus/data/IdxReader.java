package dev.isthmus.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the MNIST format), raw or gzip-compressed; compression is recognised by the gzip
 * magic bytes, not by the name.
 * <p>
 * Layout: a big-endian magic {@code 0x0000 TT NN} (TT the element type, 0x08 = unsigned byte; NN the
 * number of dimensions), NN big-endian unsigned 32-bit dimension sizes, then the elements. Every
 * field is checked: magic, type, dimensions, and the exact length (truncated data and trailing
 * bytes are both errors). A hostile header cannot make the reader allocate more than the file
 * really holds: raw files are checked against their size before any allocation, and compressed ones
 * are read incrementally, so memory follows the bytes actually decompressed.
 */
public final class IdxReader {
    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;
    private static final int UNSIGNED_BYTE = 0x08;
    /** Largest payload a Java array can hold. */
    private static final long MAX_PAYLOAD = Integer.MAX_VALUE - 8;

    private IdxReader() {
    }

    /** Reads an image file (magic 0x00000803: count, rows, columns). */
    public static IdxImages readImages(Path file, String fix) {
        Parsed parsed = read(file, IMAGES_MAGIC, fix);
        long[] dims = parsed.dims;
        if (dims[1] == 0 || dims[2] == 0) {
            throw new DatasetException(file, "images of " + dims[1] + "x" + dims[2] + " pixels", "non-empty images such as 28x28", fix);
        }
        if (dims[1] * dims[2] > MAX_PAYLOAD) {
            // With a count of 0 the data is empty, so only this check stops an image no array could hold.
            throw new DatasetException(file, "images of " + dims[1] + "x" + dims[2] + " pixels", "at most " + MAX_PAYLOAD + " pixels per image", fix);
        }
        return new IdxImages((int) dims[0], (int) dims[1], (int) dims[2], parsed.payload);
    }

    /** Reads a label file (magic 0x00000801: count) whose labels must lie in {@code 0 .. classes-1}. */
    public static IdxLabels readLabels(Path file, int classes, String fix) {
        Parsed parsed = read(file, LABELS_MAGIC, fix);
        byte[] payload = parsed.payload;
        int[] labels = new int[payload.length];
        for (int i = 0; i < payload.length; i++) {
            int label = payload[i] & 0xFF;
            if (label >= classes) {
                throw new DatasetException(file, "label " + label + " at index " + i, "class indices 0.." + (classes - 1), fix);
            }
            labels[i] = label;
        }
        return new IdxLabels(labels);
    }

    /** True when the file starts with the gzip magic bytes 1f 8b. */
    public static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    private record Parsed(long[] dims, byte[] payload) {
    }

    private static Parsed read(Path file, int expectedMagic, String fix) {
        int expectedDims = expectedMagic & 0xFF;
        String kind = expectedMagic == IMAGES_MAGIC ? "an IDX image file" : "an IDX label file";
        try {
            if (!Files.isRegularFile(file)) {
                throw new DatasetException(file, "file not found", kind, fix);
            }
            boolean gzip = isGzip(file);
            long fileSize = Files.size(file);
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(open(file, gzip), 1 << 16))) {
                int magic = readHeaderInt(in, file, kind, fix);
                checkMagic(file, magic, expectedMagic, kind, fix);
                long[] dims = new long[expectedDims];
                long payloadBytes = 1;
                for (int d = 0; d < expectedDims; d++) {
                    dims[d] = Integer.toUnsignedLong(readHeaderInt(in, file, kind, fix));
                    payloadBytes = saturatingMultiply(payloadBytes, dims[d]);
                }
                long headerBytes = 4L + 4L * expectedDims;
                if (payloadBytes > MAX_PAYLOAD) {
                    throw new DatasetException(file, "header declares " + describe(dims) + " = " + payloadBytes + " bytes of data",
                            "at most " + MAX_PAYLOAD + " bytes", fix);
                }
                for (long dim : dims) {
                    // Sizes are Java ints from here on; with another dimension 0 a huge one passes the size check above.
                    if (dim > Integer.MAX_VALUE) {
                        throw new DatasetException(file, "header declares " + describe(dims), "dimension sizes below 2^31", fix);
                    }
                }
                if (!gzip && fileSize != headerBytes + payloadBytes) {
                    // Raw files: the length is known up front, so nothing is allocated for a lying header.
                    String problem = fileSize < headerBytes + payloadBytes
                            ? "file is truncated: " + fileSize + " bytes" : "file has " + (fileSize - headerBytes - payloadBytes) + " trailing bytes (" + fileSize + " bytes)";
                    throw new DatasetException(file, problem, (headerBytes + payloadBytes) + " bytes for " + describe(dims), fix);
                }
                // readNBytes grows its buffer as data arrives instead of allocating the declared size at once.
                byte[] payload = in.readNBytes((int) payloadBytes);
                if (payload.length < payloadBytes) {
                    throw new DatasetException(file, "data is truncated: " + (headerBytes + payload.length) + " decompressed bytes",
                            (headerBytes + payloadBytes) + " bytes for " + describe(dims), fix);
                }
                long trailing = countTrailing(in);
                if (trailing > 0) {
                    throw new DatasetException(file, (trailing >= TRAILING_COUNT_LIMIT ? "at least " : "") + trailing
                            + " trailing bytes after the data", (headerBytes + payloadBytes) + " bytes for " + describe(dims), fix);
                }
                return new Parsed(dims, payload);
            }
        } catch (DatasetException e) {
            throw e;
        } catch (ZipException | EOFException e) {
            throw new DatasetException(file, "not a valid gzip stream (" + e.getMessage() + ")", "a complete gzip file or a raw IDX file", fix, e);
        } catch (IOException e) {
            throw new DatasetException(file, "cannot be read: " + IoProblems.describe(e), "a readable " + kind, fix, e);
        }
    }

    private static InputStream open(Path file, boolean gzip) throws IOException {
        InputStream raw = Files.newInputStream(file);
        try {
            return gzip ? new GZIPInputStream(raw, 1 << 16) : raw;
        } catch (IOException e) {
            raw.close();
            throw e;
        }
    }

    private static int readHeaderInt(DataInputStream in, Path file, String kind, String fix) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw new DatasetException(file, "file ends inside the IDX header", kind + " with a complete header", fix, e);
        }
    }

    private static void checkMagic(Path file, int magic, int expectedMagic, String kind, String fix) {
        if (magic == expectedMagic) return;
        String expected = kind + ", magic " + hex(expectedMagic);
        if ((magic >>> 16) != 0) {
            throw new DatasetException(file, "magic number " + hex(magic) + " is not an IDX file", expected, fix);
        }
        int type = (magic >>> 8) & 0xFF;
        int dims = magic & 0xFF;
        if (type != UNSIGNED_BYTE) {
            throw new DatasetException(file, "IDX element type 0x" + String.format("%02x", type) + " is not unsigned byte (0x08)", expected, fix);
        }
        String hint = magic == IMAGES_MAGIC ? " (an IDX image file: images and labels swapped?)"
                : magic == LABELS_MAGIC ? " (an IDX label file: images and labels swapped?)" : "";
        throw new DatasetException(file, "magic number " + hex(magic) + " declares " + dims + " dimensions" + hint, expected, fix);
    }

    private static final long TRAILING_COUNT_LIMIT = 1 << 20;

    private static long countTrailing(InputStream in) throws IOException {
        long count = 0;
        byte[] buffer = new byte[8192];
        int n;
        while (count < TRAILING_COUNT_LIMIT && (n = in.read(buffer)) > 0) count += n;
        return count;
    }

    /** Products of header fields saturate instead of wrapping around, so a hostile header stays "too large". */
    private static long saturatingMultiply(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
    }

    private static String describe(long[] dims) {
        return switch (dims.length) {
            case 3 -> dims[0] + " images of " + dims[1] + "x" + dims[2];
            case 1 -> dims[0] + " labels";
            default -> java.util.Arrays.toString(dims);
        };
    }

    private static String hex(int value) {
        return String.format("0x%08x", value);
    }
}
