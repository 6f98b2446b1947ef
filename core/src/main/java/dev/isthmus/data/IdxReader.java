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
 * are decompressed twice, first only counted, so the data is then read into one array of exactly its
 * size; data larger than the Java heap allows is a {@link DatasetException}, not an OutOfMemoryError.
 */
public final class IdxReader {
    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;
    private static final int UNSIGNED_BYTE = 0x08;
    /** Largest payload a Java array can hold. */
    private static final long MAX_PAYLOAD = Integer.MAX_VALUE - 8;

    private IdxReader() {
    }

    /**
     * Reads an image file (magic 0x00000803: count, rows, columns).
     *
     * @param file the file, raw or gzip
     * @param fix  the advice for a message if it is damaged
     * @return its images
     */
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

    /**
     * Reads a label file (magic 0x00000801: count) whose labels must lie in {@code 0 .. classes-1}.
     *
     * @param file    the file, raw or gzip
     * @param classes the number of classes
     * @param fix     the advice for a message if it is damaged
     * @return its labels
     */
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

    /**
     * True when the file starts with the gzip magic bytes 1f 8b.
     *
     * @param file the file
     * @return whether it is gzip
     * @throws IOException when it cannot be read
     */
    public static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    private record Parsed(long[] dims, byte[] payload) {
    }

    /** The header's facts: dimension sizes, and the bytes of header and data they imply. */
    private record Header(long[] dims, long headerBytes, long payloadBytes) {
        long totalBytes() {
            return headerBytes + payloadBytes;
        }
    }

    private static Parsed read(Path file, int expectedMagic, String fix) {
        String kind = expectedMagic == IMAGES_MAGIC ? "an IDX image file" : "an IDX label file";
        try {
            if (!Files.isRegularFile(file)) {
                throw new DatasetException(file, "file not found", kind, fix);
            }
            boolean gzip = isGzip(file);
            Header header;
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(open(file, gzip), 1 << 16))) {
                header = readHeader(in, file, expectedMagic, kind, fix);
                if (gzip) {
                    // First pass over compressed data: count it without keeping it, so that the payload is then
                    // allocated once, at its exact size, and only when the data is really there.
                    long decompressed = header.headerBytes() + countBytes(in, header.payloadBytes() + TRAILING_COUNT_LIMIT);
                    long trailing = decompressed - header.totalBytes();
                    checkLength(file, header, decompressed, "data is truncated: " + decompressed + " decompressed bytes",
                            (trailing >= TRAILING_COUNT_LIMIT ? "at least " : "") + trailing + " trailing bytes after the data", fix);
                } else {
                    long fileSize = Files.size(file);
                    checkLength(file, header, fileSize, "file is truncated: " + fileSize + " bytes",
                            "file has " + (fileSize - header.totalBytes()) + " trailing bytes (" + fileSize + " bytes)", fix);
                }
            }
            try (InputStream in = new BufferedInputStream(open(file, gzip), 1 << 16)) {
                in.skipNBytes(header.headerBytes());
                byte[] payload = allocate(file, header);
                int read = in.readNBytes(payload, 0, payload.length);
                if (read < payload.length) {
                    throw new DatasetException(file, "file changed while being read", "a file that stays as it is", fix);
                }
                return new Parsed(header.dims(), payload);
            }
        } catch (DatasetException e) {
            throw e;
        } catch (ZipException | EOFException e) {
            throw new DatasetException(file, "not a valid gzip stream (" + e.getMessage() + ")", "a complete gzip file or a raw IDX file", fix, e);
        } catch (IOException e) {
            throw new DatasetException(file, "cannot be read: " + IoProblems.describe(e), "a readable " + kind, fix, e);
        }
    }

    private static Header readHeader(DataInputStream in, Path file, int expectedMagic, String kind, String fix) throws IOException {
        int magic = readHeaderInt(in, file, kind, fix);
        checkMagic(file, magic, expectedMagic, kind, fix);
        long[] dims = new long[expectedMagic & 0xFF];
        long payloadBytes = 1;
        for (int d = 0; d < dims.length; d++) {
            dims[d] = Integer.toUnsignedLong(readHeaderInt(in, file, kind, fix));
            payloadBytes = saturatingMultiply(payloadBytes, dims[d]);
        }
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
        return new Header(dims, 4L + 4L * dims.length, payloadBytes);
    }

    /** The content (file or decompressed stream) must be exactly header + data. */
    private static void checkLength(Path file, Header header, long actualBytes, String truncated, String trailing, String fix) {
        if (actualBytes != header.totalBytes()) {
            throw new DatasetException(file, actualBytes < header.totalBytes() ? truncated : trailing,
                    header.totalBytes() + " bytes for " + describe(header.dims()), fix);
        }
    }

    /** The payload array; a file larger than the Java heap allows is an error the user can fix, not a crash. */
    private static byte[] allocate(Path file, Header header) {
        try {
            return new byte[(int) header.payloadBytes()];
        } catch (OutOfMemoryError e) {
            throw new DatasetException(file, describe(header.dims()) + " need " + (header.payloadBytes() >> 20) + " MiB, more than the Java heap has free",
                    "data that fits in memory", "give Java more memory (ISTHMUS_JAVA_OPTS=-Xmx8g) or use fewer images", e);
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

    /** How far past the declared data a compressed stream is read to tell how much is trailing. */
    private static final long TRAILING_COUNT_LIMIT = 1 << 20;

    /** Bytes left in the stream, counting no further than {@code limit}. */
    private static long countBytes(InputStream in, long limit) throws IOException {
        long count = 0;
        byte[] buffer = new byte[1 << 16];
        int n;
        while (count < limit && (n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - count))) > 0) count += n;
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
