package dev.isthmus.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;

import static dev.isthmus.data.IdxFixtures.gzip;
import static dev.isthmus.data.IdxFixtures.header;
import static dev.isthmus.data.IdxFixtures.images;
import static dev.isthmus.data.IdxFixtures.labels;
import static dev.isthmus.data.IdxFixtures.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxReaderTest {
    private static final String FIX = "re-run `isthmus data fetch`";

    @TempDir
    Path dir;

    private DatasetException imagesError(byte[] content) {
        Path file = write(dir, "images", content);
        return assertThrows(DatasetException.class, () -> IdxReader.readImages(file, FIX));
    }

    private DatasetException labelsError(byte[] content) {
        Path file = write(dir, "labels", content);
        return assertThrows(DatasetException.class, () -> IdxReader.readLabels(file, 10, FIX));
    }

    private static void assertOneLine(DatasetException e, String... fragments) {
        String message = e.getMessage();
        assertFalse(message.contains("\n"), message);
        assertTrue(message.endsWith(FIX), message);
        for (String fragment : fragments) assertTrue(message.contains(fragment), "'" + fragment + "' not in: " + message);
    }

    @Test
    void readsRawImagesOfAnySize() {
        byte[] content = images(2, 3, 5, 250);
        IdxImages read = IdxReader.readImages(write(dir, "train-images-idx3-ubyte", content), FIX);
        assertEquals(2, read.count());
        assertEquals(3, read.rows());
        assertEquals(5, read.columns());
        assertArrayEquals(Arrays.copyOfRange(content, 16, content.length), read.pixels());
        assertEquals((byte) 250, read.pixels()[0]);
        assertEquals((byte) 4, read.pixels()[10]); // wraps past 255
    }

    @Test
    void recognisesGzipByMagicNotByName() {
        byte[] content = images(3, 2, 2, 7);
        IdxImages fromGzipWithoutSuffix = IdxReader.readImages(write(dir, "plain-name", gzip(content)), FIX);
        IdxImages fromRawWithGzSuffix = IdxReader.readImages(write(dir, "raw.gz", content), FIX);
        assertArrayEquals(fromRawWithGzSuffix.pixels(), fromGzipWithoutSuffix.pixels());
        assertEquals(3, fromGzipWithoutSuffix.count());
    }

    @Test
    void readsLabels() {
        IdxLabels read = IdxReader.readLabels(write(dir, "labels", labels(5, 0, 4, 1, 9)), 10, FIX);
        assertArrayEquals(new int[]{5, 0, 4, 1, 9}, read.labels());
        IdxLabels gz = IdxReader.readLabels(write(dir, "labels.gz", gzip(labels(3, 3))), 10, FIX);
        assertArrayEquals(new int[]{3, 3}, gz.labels());
    }

    @Test
    void rejectsForeignMagic() {
        byte[] content = images(1, 2, 2, 0);
        content[0] = 'P';
        content[1] = 'K';
        assertOneLine(imagesError(content), "magic number 0x504b0803 is not an IDX file", "magic 0x00000803");
    }

    @Test
    void rejectsLabelFileWhereImagesAreExpected() {
        assertOneLine(imagesError(labels(1, 2, 3)), "0x00000801", "swapped", "an IDX image file");
        assertOneLine(labelsError(images(1, 2, 2, 0)), "0x00000803", "swapped", "an IDX label file");
    }

    @Test
    void rejectsOtherElementTypes() {
        byte[] floats = header(0x00000D03, new int[]{1, 1, 1}, 4);
        assertOneLine(imagesError(floats), "element type 0x0d is not unsigned byte");
    }

    @Test
    void rejectsWrongDimensionCount() {
        byte[] fourDims = header(0x00000804, new int[]{1, 1, 2, 2}, 4);
        assertOneLine(imagesError(fourDims), "declares 4 dimensions");
        byte[] emptyImages = header(0x00000803, new int[]{3, 0, 28}, 0);
        assertOneLine(imagesError(emptyImages), "images of 0x28 pixels");
    }

    @Test
    void rejectsTruncatedAndTrailingRawFiles() {
        byte[] content = images(4, 3, 3, 0);
        assertOneLine(imagesError(Arrays.copyOf(content, content.length - 1)), "truncated: 51 bytes", "52 bytes for 4 images of 3x3");
        assertOneLine(imagesError(Arrays.copyOf(content, content.length + 3)), "3 trailing bytes", "52 bytes");
        assertOneLine(imagesError(Arrays.copyOf(content, 10)), "ends inside the IDX header");
        byte[] labels = labels(1, 2, 3);
        assertOneLine(labelsError(Arrays.copyOf(labels, labels.length + 1)), "1 trailing bytes", "11 bytes for 3 labels");
    }

    @Test
    void rejectsTruncatedAndTrailingCompressedFiles() {
        byte[] content = images(4, 3, 3, 0);
        assertOneLine(imagesError(gzip(Arrays.copyOf(content, content.length - 5))), "data is truncated: 47 decompressed bytes");
        assertOneLine(imagesError(gzip(Arrays.copyOf(content, content.length + 2))), "2 trailing bytes after the data");
    }

    @Test
    void rejectsLabelsOutOfRange() {
        assertOneLine(labelsError(labels(1, 2, 10, 3)), "label 10 at index 2", "class indices 0..9");
        assertOneLine(labelsError(labels(255)), "label 255 at index 0");
    }

    @Test
    void rejectsCorruptGzip() {
        byte[] compressed = gzip(images(20, 5, 5, 0));
        byte[] cut = Arrays.copyOf(compressed, compressed.length / 2);
        assertOneLine(imagesError(cut), "not a valid gzip stream");
        byte[] badChecksum = compressed.clone();
        badChecksum[badChecksum.length - 8] ^= 1; // CRC-32 in the trailer: only noticed at the end of the data
        assertOneLine(imagesError(badChecksum), "not a valid gzip stream");
    }

    @Test
    void hostileHeaderDoesNotAllocateTheDeclaredSize() {
        // 4 billion images of 65535×65535: a naive reader would try to allocate the product.
        byte[] raw = header(0x00000803, new int[]{-1, 0xFFFF, 0xFFFF}, 16);
        assertOneLine(imagesError(raw), "header declares", "at most");
        // 1.9 GB declared but only 100 bytes present: raw files are rejected by length before reading.
        byte[] large = header(0x00000803, new int[]{2_000, 1_000, 1_000}, 100);
        assertOneLine(imagesError(large), "truncated: 116 bytes", "2000000016 bytes");
        // Compressed: the buffer grows with the data actually present, so this fails as truncated, not out of memory.
        assertOneLine(imagesError(gzip(large)), "data is truncated: 116 decompressed bytes");
        byte[] labelsClaim = header(0x00000801, new int[]{Integer.MAX_VALUE - 100}, 3);
        assertOneLine(labelsError(gzip(labelsClaim)), "data is truncated");
    }

    @Test
    void missingFileIsReported() {
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readImages(dir.resolve("nope"), FIX));
        assertOneLine(e, "file not found");
    }
}
