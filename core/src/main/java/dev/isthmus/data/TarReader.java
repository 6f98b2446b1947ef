package dev.isthmus.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads the entries of a tar stream (POSIX ustar, with pax and GNU long-name records), enough for
 * an npm package tarball. Each header's checksum is verified, so a corrupt archive is reported
 * rather than misread.
 */
final class TarReader {
    private static final int BLOCK = 512;

    /** One archive member: its path, its size in bytes and its type flag ('0' or NUL for a regular file). */
    record Entry(String name, long size, char type) {
        boolean isFile() {
            return type == '0' || type == '\0' || type == '7';
        }
    }

    private final InputStream in;
    private long remaining;   // unread bytes of the current entry's data
    private long padding;     // bytes after the data up to the next block boundary

    TarReader(InputStream in) {
        this.in = in;
    }

    /** The next entry, or null at the end of the archive. Skips the rest of the previous entry. */
    Entry next() throws IOException {
        String longName = null;
        while (true) {
            skipFully(remaining + padding);
            remaining = padding = 0;
            byte[] header = in.readNBytes(BLOCK);
            if (header.length == 0 || isZero(header)) return null;
            if (header.length < BLOCK) throw new EOFException("tar archive ends inside a header");
            verifyChecksum(header);
            long size = parseOctal(header, 124, 12);
            char type = (char) header[156];
            String name = longName != null ? longName : headerName(header);
            longName = null;
            remaining = size;
            padding = (BLOCK - size % BLOCK) % BLOCK;
            switch (type) {
                case 'x' -> longName = paxPath(readData(size));          // pax extended header for the next entry
                case 'L' -> longName = cString(readData(size), 0, (int) size); // GNU long name for the next entry
                case 'g' -> readData(size);                               // pax global header: nothing we need
                default -> {
                    return new Entry(name, size, type);
                }
            }
        }
    }

    /** The current entry's data; valid until the next call to {@link #next}. */
    InputStream content() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                if (remaining <= 0) return -1;
                int b = in.read();
                if (b < 0) throw new EOFException("tar archive ends inside an entry");
                remaining--;
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                if (remaining <= 0) return -1;
                int n = in.read(buffer, offset, (int) Math.min(length, remaining));
                if (n < 0) throw new EOFException("tar archive ends inside an entry");
                remaining -= n;
                return n;
            }
        };
    }

    private byte[] readData(long size) throws IOException {
        if (size > 1 << 20) throw new IOException("tar metadata record of " + size + " bytes is implausibly large");
        byte[] data = in.readNBytes((int) size);
        if (data.length < size) throw new EOFException("tar archive ends inside a metadata record");
        remaining = 0;
        return data;
    }

    private void skipFully(long bytes) throws IOException {
        long left = bytes;
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() < 0) throw new EOFException("tar archive ends inside an entry");
                skipped = 1;
            }
            left -= skipped;
        }
    }

    private static String headerName(byte[] header) {
        String name = cString(header, 0, 100);
        boolean ustar = new String(header, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
        String prefix = ustar ? cString(header, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    /** Records are "LEN key=value\n"; only the path matters here. */
    private static String paxPath(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        for (String record : text.split("\n")) {
            int space = record.indexOf(' ');
            if (space >= 0 && record.startsWith("path=", space + 1)) return record.substring(space + 6);
        }
        return null;
    }

    private static void verifyChecksum(byte[] header) throws IOException {
        long stored = parseOctal(header, 148, 8);
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) sum += (i >= 148 && i < 156) ? ' ' : (header[i] & 0xFF);
        if (sum != stored) throw new IOException("tar header checksum mismatch (archive corrupt)");
    }

    private static long parseOctal(byte[] header, int offset, int length) throws IOException {
        if ((header[offset] & 0x80) != 0) throw new IOException("tar entry uses a base-256 size, too large for an npm package");
        long value = 0;
        boolean digits = false;
        for (int i = offset; i < offset + length; i++) {
            byte b = header[i];
            if (b == 0 || b == ' ') {
                if (digits) break; // terminator after the number
                continue;          // leading padding
            }
            digits = true;
            if (b < '0' || b > '7') throw new IOException("tar header has a malformed number (archive corrupt)");
            value = value * 8 + (b - '0');
        }
        return value;
    }

    private static String cString(byte[] bytes, int offset, int length) {
        int end = offset;
        while (end < offset + length && bytes[end] != 0) end++;
        return new String(bytes, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) if (b != 0) return false;
        return true;
    }
}
