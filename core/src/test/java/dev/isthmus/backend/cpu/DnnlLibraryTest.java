package dev.isthmus.backend.cpu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a missing or unusable oneDNN is diagnosed: one line naming what was looked for and how to install it. */
class DnnlLibraryTest {

    @Test
    void aMissingLibraryNamesTheFoldersAndTheInstallCommand(@TempDir Path empty) {
        DnnlLibrary.Status status = DnnlLibrary.tryLoad(null, List.of(empty.toString()));
        assertFalse(status.usable());
        String reason = status.unusableReason().orElseThrow();
        assertTrue(reason.startsWith("libdnnl.so.2 not found in " + empty), reason);
        assertTrue(reason.contains("apt-get install libdnnl2"), reason);
    }

    @Test
    void anOverrideThatIsNotAFileIsNamed(@TempDir Path folder) {
        DnnlLibrary.Status status = DnnlLibrary.tryLoad(folder.resolve("nope.so").toString(), List.of());
        assertEquals("ISTHMUS_DNNL_PATH=" + folder.resolve("nope.so") + " is not a file; point it at libdnnl.so.2 or unset it",
                status.unusableReason().orElseThrow());
    }

    @Test
    void aFileThatIsNotALibraryFailsToLoadWithTheReason(@TempDir Path folder) throws Exception {
        Path fake = Files.writeString(folder.resolve("libdnnl.so.2"), "not an ELF file");
        DnnlLibrary.Status status = DnnlLibrary.tryLoad(null, List.of(folder.toString()));
        String reason = status.unusableReason().orElseThrow();
        assertTrue(reason.startsWith(fake + " could not be loaded ("), reason);
    }

    @Test
    void cpuBackendOpenFailsWithTheDiagnosisWhereOneDnnIsMissing() {
        DnnlLibrary.Status status = DnnlLibrary.load();
        if (status.usable()) {
            try (CpuBackend backend = CpuBackend.open()) {
                assertEquals("cpu", backend.name());
            }
        } else {
            CpuBackendUnavailableException e = org.junit.jupiter.api.Assertions.assertThrows(CpuBackendUnavailableException.class, CpuBackend::open);
            assertEquals(3, e.exitCode());
            assertTrue(e.getMessage().contains(status.unusableReason().orElseThrow()), e.getMessage());
        }
    }
}
