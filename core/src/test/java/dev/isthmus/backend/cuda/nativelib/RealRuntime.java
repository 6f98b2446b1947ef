package dev.isthmus.backend.cuda.nativelib;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The CUDA 13.0 runtime installed on the development and CI machines (no GPU, no driver). */
final class RealRuntime {
    static final Path FOLDER = Path.of("/usr/local/cuda-13.0/lib64");
    static final Path LIBRARY = FOLDER.resolve("libcudart.so.13");

    private RealRuntime() {
    }

    /** Skips the calling test, saying why, when the runtime is not installed. */
    static void assumePresent() {
        Assumptions.assumeTrue(Files.isRegularFile(LIBRARY),
                "skipped: the CUDA 13.0 runtime is not installed at " + LIBRARY);
        // Another test in this JVM may have loaded a different libcudart (e.g. from a pip wheel on a GPU machine).
        LibraryLoader.loadedFile(CudaLibrary.CUDART).ifPresent(loaded -> Assumptions.assumeTrue(
                loaded.equals(realPath()), "skipped: this JVM already uses the CUDA runtime at " + loaded));
    }

    private static Path realPath() {
        try {
            return LIBRARY.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
