package dev.isthmus.backend.cuda;

import dev.isthmus.backend.cuda.nativelib.CudaComponent;
import dev.isthmus.backend.cuda.nativelib.LoadOutcome;
import dev.isthmus.backend.cuda.nativelib.SearchConfig;
import dev.isthmus.testing.standin.CudaStandIn;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * cuDNN's optional sub-libraries (engines, heuristics, adv) are optional: one that the dynamic linker
 * refuses leaves cuDNN usable, with the reason on record for {@code isthmus doctor}.
 */
@Tag("standin")
class StandInOptionalLibraryTest {

    @TempDir
    Path temp;

    @Test
    void brokenOptionalCudnnLibrariesLeaveCudnnUsable() throws IOException {
        Path folder = Files.createDirectories(temp.resolve("cudnn-with-broken-optional"));
        for (String name : CudaStandIn.LIBRARY_FILES) {
            // Links to the stand-in's files: the same real files as any other stand-in test in this JVM loads.
            Files.createSymbolicLink(folder.resolve(name), CudaStandIn.library(name).toRealPath());
        }
        for (String name : List.of("libcudnn_adv.so.9", "libcudnn_engines_runtime_compiled.so.9")) {
            Files.writeString(folder.resolve(name), "not a shared library, only its name ".repeat(4));
        }

        CudaEnvironment environment = CudaEnvironment.probe(SearchConfig.onlyFolders(List.of(folder)));

        LoadOutcome.Loaded cudnn = assertInstanceOf(LoadOutcome.Loaded.class, environment.library(CudaComponent.CUDNN),
                () -> environment.library(CudaComponent.CUDNN).toString());
        assertEquals(List.of(folder.resolve("libcudnn_engines_runtime_compiled.so.9"), folder.resolve("libcudnn_adv.so.9")),
                cudnn.optionalFailed().stream().map(failure -> failure.file().path()).toList());
        cudnn.optionalFailed().forEach(failure -> assertTrue(failure.osReason().contains("invalid ELF header"), failure.osReason()));
        assertTrue(environment.usable(), environment.problems().toString());
        assertEquals(2, environment.toJson().get("libraries").get(2).get("optionalFailed").size());
    }
}
