package dev.isthmus.backend.cuda.nativelib;

import dev.isthmus.backend.cuda.CudaEnvironment;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Files that look like libraries but are not: the report must carry the dynamic linker's own reason.
 * Every file here fails to load, so nothing enters the JVM that a later test could trip over.
 */
class BogusLibraryTest {

    @TempDir
    Path temp;

    private static String loadFailure(Path file) {
        return LibraryLoader.load(new LibraryFile(CudaLibrary.CUDNN, file, "test")).orElseThrow();
    }

    @Test
    void textFileGivesTheLinkersReason() throws IOException {
        Path text = temp.resolve("libcudnn.so.9");
        Files.writeString(text, "this is not a shared library, just a text file long enough to hold an ELF header\n");

        String reason = loadFailure(text);

        assertTrue(reason.contains("invalid ELF header"), reason);
        assertFalse(CudaLibraries.isLoaded(CudaComponent.CUDNN));
    }

    @Test
    void thirtyTwoBitElfGivesTheLinkersReason() throws IOException {
        // The start of a 32-bit little-endian ELF header: enough for the linker to reject its class.
        byte[] header = new byte[64];
        byte[] ident = {0x7f, 'E', 'L', 'F', 1 /* ELFCLASS32 */, 1 /* little endian */, 1 /* version */};
        System.arraycopy(ident, 0, header, 0, ident.length);
        Path elf32 = Files.write(temp.resolve("libcudnn.so.9"), header);

        assertTrue(loadFailure(elf32).contains("wrong ELF class: ELFCLASS32"), loadFailure(elf32));
    }

    @Test
    void executableInsteadOfLibraryGivesTheLinkersReason() throws IOException {
        Path executable = Path.of("/bin/true");
        Assumptions.assumeTrue(Files.isRegularFile(executable), "skipped: no /bin/true to copy");
        Path copy = Files.copy(executable, temp.resolve("libcudnn.so.9"));

        String reason = loadFailure(copy);

        // glibc refuses position-independent executables; other C libraries word it differently.
        assertTrue(reason.contains("cannot dynamically load") || reason.contains("ELF"), reason);
    }

    @Test
    void reportShowsTheLinkersReasonForABrokenCudnn() throws IOException {
        Path folder = Files.createDirectories(temp.resolve("broken-cudnn"));
        for (String name : List.of("libcudnn.so.9", "libcudnn_graph.so.9", "libcudnn_ops.so.9", "libcudnn_cnn.so.9")) {
            Files.writeString(folder.resolve(name), "not a library ".repeat(10));
        }

        CudaEnvironment environment = CudaEnvironment.probe(SearchConfig.onlyFolders(List.of(folder)));

        LoadOutcome.LoadFailed failed = assertInstanceOf(LoadOutcome.LoadFailed.class, environment.library(CudaComponent.CUDNN));
        assertEquals(folder.resolve("libcudnn_graph.so.9"), failed.file().path(), "dependencies load first");
        assertTrue(failed.osReason().contains("invalid ELF header"), failed.osReason());
        String reason = environment.unusableReason().orElseThrow();
        assertTrue(reason.contains("cuDNN not usable: " + folder.resolve("libcudnn_graph.so.9")
                + " (beside libcudnn.so.9) failed to load: "), reason);
        assertTrue(reason.contains("invalid ELF header"), reason);
    }
}
