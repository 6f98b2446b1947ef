package dev.isthmus.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The readers under fuzzing take a file path, so every fuzz input is written to one scratch file per
 * JVM (in /dev/shm when there is one: fuzzing runs hundreds of thousands of inputs).
 */
final class FuzzFiles {
    private static Path scratch;

    private FuzzFiles() {
    }

    /** Writes {@code content} to the scratch file (suffix e.g. ".gz" ignored by the readers) and returns it. */
    static synchronized Path write(byte[] content) {
        try {
            if (scratch == null) {
                Path shm = Path.of("/dev/shm");
                scratch = Files.isDirectory(shm) && Files.isWritable(shm)
                        ? Files.createTempFile(shm, "isthmus-fuzz-", ".bin") : Files.createTempFile("isthmus-fuzz-", ".bin");
                scratch.toFile().deleteOnExit();
            }
            return Files.write(scratch, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
