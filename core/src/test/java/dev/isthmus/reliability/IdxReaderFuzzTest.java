package dev.isthmus.reliability;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.isthmus.data.DatasetException;
import dev.isthmus.data.IdxImages;
import dev.isthmus.data.IdxLabels;
import dev.isthmus.data.IdxReader;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Any byte string given to the IDX reader ends in a correct load or a {@link DatasetException} with a
 * one-line message; never another exception, an OutOfMemoryError from a lying header, or a hang.
 * <p>
 * Plain {@code mvn test} replays the seeds in {@code IdxReaderFuzzTestInputs/<method>/} (regression
 * mode). Fuzz for real, one target per run (docs/reliability.md):
 * {@code JAZZER_FUZZ=1 mvn -pl core test -Dtest=IdxReaderFuzzTest#images}
 */
class IdxReaderFuzzTest {
    private static final String FIX = "regenerate the file";
    private static final int CLASSES = 10;

    @FuzzTest(maxDuration = "5m")
    void images(byte[] input) {
        Path file = FuzzFiles.write(input);
        try {
            IdxImages images = IdxReader.readImages(file, FIX);
            assertTrue(images.rows() > 0 && images.columns() > 0, "a loaded image has pixels");
            assertEquals(16L + images.pixels().length, decompressedLength(file, input), "the header and the data fill the file exactly");
        } catch (DatasetException e) {
            assertOneLine(e);
        }
    }

    @FuzzTest(maxDuration = "5m")
    void labels(byte[] input) {
        Path file = FuzzFiles.write(input);
        try {
            IdxLabels labels = IdxReader.readLabels(file, CLASSES, FIX);
            for (int label : labels.labels()) assertTrue(label >= 0 && label < CLASSES, "label " + label + " in range");
            assertEquals(8L + labels.count(), decompressedLength(file, input), "the header and the data fill the file exactly");
        } catch (DatasetException e) {
            assertOneLine(e);
        }
    }

    private static long decompressedLength(Path file, byte[] input) {
        try {
            if (!IdxReader.isGzip(file)) return input.length;
            try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(input))) {
                return in.transferTo(java.io.OutputStream.nullOutputStream());
            }
        } catch (java.io.IOException e) {
            throw new AssertionError("the reader accepted a gzip stream that does not decompress", e);
        }
    }

    static void assertOneLine(RuntimeException e) {
        String message = e.getMessage();
        assertTrue(message != null && !message.isBlank(), "the error has a message");
        assertFalse(message.contains("\n") || message.contains("\r"), "one line: " + message);
    }
}
