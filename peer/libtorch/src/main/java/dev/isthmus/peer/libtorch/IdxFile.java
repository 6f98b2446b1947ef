package dev.isthmus.peer.libtorch;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * One IDX file (the MNIST distribution format): unsigned bytes plus their dimensions.
 * Reads the raw file or its gzip-compressed form (.gz), whichever is given.
 */
record IdxFile(int[] dimensions, byte[] data) {

    private static final int UNSIGNED_BYTE_TYPE = 0x08;

    static IdxFile read(Path path) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
             DataInputStream in = new DataInputStream(path.getFileName().toString().endsWith(".gz")
                     ? new GZIPInputStream(raw, 1 << 16) : raw)) {
            int magic = in.readInt();
            int type = (magic >>> 8) & 0xFF;
            int rank = magic & 0xFF;
            if ((magic >>> 16) != 0 || type != UNSIGNED_BYTE_TYPE || rank < 1 || rank > 4) {
                throw new IOException(path + " is not an unsigned-byte IDX file (magic 0x"
                        + Integer.toHexString(magic) + "); fetch MNIST again.");
            }
            int[] dimensions = new int[rank];
            long count = 1;
            for (int i = 0; i < rank; i++) {
                dimensions[i] = in.readInt();
                count *= dimensions[i];
            }
            if (count > Integer.MAX_VALUE) {
                throw new IOException(path + " declares " + count + " values, too many for one array.");
            }
            byte[] data = new byte[(int) count];
            in.readFully(data);
            return new IdxFile(dimensions, data);
        }
    }

    int items() {
        return dimensions[0];
    }

    @Override
    public String toString() {
        return "IdxFile" + Arrays.toString(dimensions);
    }
}
