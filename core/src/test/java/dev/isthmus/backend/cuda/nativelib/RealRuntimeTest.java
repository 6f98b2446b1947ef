package dev.isthmus.backend.cuda.nativelib;

import dev.isthmus.IsthmusException;
import dev.isthmus.backend.cuda.CudaEnvironment;
import dev.isthmus.backend.cuda.CudaUnavailableException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Loads the real CUDA 13.0 runtime (never a stand-in: those tests are tagged and run in another JVM) and
 * checks what the report says on a machine without GPU and driver.
 */
class RealRuntimeTest {

    @TempDir
    Path temp;

    @BeforeEach
    void requireRuntime() {
        RealRuntime.assumePresent();
    }

    @Test
    void runtimeLoadsAndReportsItsVersion() {
        CudaEnvironment environment = CudaEnvironment.probe(SearchConfig.onlyFolders(List.of(RealRuntime.FOLDER)));

        LoadOutcome.Loaded runtime = assertInstanceOf(LoadOutcome.Loaded.class, environment.library(CudaComponent.RUNTIME));
        assertEquals(RealRuntime.LIBRARY, runtime.mainFile().path());
        assertEquals(13, runtime.major());
        assertEquals(13000, environment.versions().runtime().orElseThrow());
        assertEquals("13.0", environment.versionText(CudaComponent.RUNTIME).orElseThrow());
        assertTrue(CudaLibraries.isLoaded(CudaComponent.RUNTIME));
        assertEquals(13000, CudaQueries.runtimeVersion(), "the bindings reach the loaded runtime directly too");
    }

    @Test
    void missingDriverIsExplainedInPlainWords() {
        CudaEnvironment environment = CudaEnvironment.probe(SearchConfig.onlyFolders(List.of(RealRuntime.FOLDER)));
        Assumptions.assumeTrue(environment.versions().driver().orElse(-1) == 0,
                "skipped: an NVIDIA driver is installed here");

        String gpuProblem = environment.gpuProblem().orElseThrow();
        assertTrue(gpuProblem.startsWith("no NVIDIA driver: the NVIDIA driver is not installed or too old for CUDA 13.0"),
                gpuProblem);
        assertTrue(gpuProblem.contains("cudaGetDeviceCount returned cudaErrorInsufficientDriver (35): "
                + "CUDA driver version is insufficient for CUDA runtime version"), gpuProblem);
        assertTrue(gpuProblem.contains("install the NVIDIA driver, version 580 or newer"), gpuProblem);
        assertTrue(environment.gpus().isEmpty());
        assertFalse(environment.usable());
        assertTrue(environment.problems().contains(gpuProblem));
        assertEquals("reference", environment.autoBackend().backend());
        assertTrue(environment.autoBackend().reason().contains("no NVIDIA driver"), environment.autoBackend().reason());
    }

    @Test
    void reportNamesExactlyTheMissingLibrariesAndWhereItLooked() throws IOException {
        Path onlyRuntime = Files.createDirectories(temp.resolve("only-runtime"));
        Files.createSymbolicLink(onlyRuntime.resolve("libcudart.so.13"), RealRuntime.LIBRARY);

        CudaEnvironment environment = CudaEnvironment.probe(SearchConfig.onlyFolders(List.of(onlyRuntime)));

        assertInstanceOf(LoadOutcome.Loaded.class, environment.library(CudaComponent.RUNTIME),
                "a symbolic link to the already loaded runtime is the same library");
        NotFound cublas = assertInstanceOf(NotFound.class, environment.library(CudaComponent.CUBLAS));
        NotFound cudnn = assertInstanceOf(NotFound.class, environment.library(CudaComponent.CUDNN));
        assertEquals("libcublas.so.13 or libcublas.so.12 not found", cublas.problem());
        assertEquals("libcudnn.so.9 not found", cudnn.problem());
        assertEquals(List.of(onlyRuntime), cudnn.lookedIn().stream().map(SearchLocation::folder).toList());

        String reason = environment.unusableReason().orElseThrow();
        assertTrue(reason.contains("cuBLAS not usable: libcublas.so.13 or libcublas.so.12 not found (looked in: "
                + onlyRuntime + ")"), reason);
        assertTrue(reason.contains("cuDNN not usable: libcudnn.so.9 not found (looked in: " + onlyRuntime + ")"), reason);
        assertTrue(reason.contains("pip install nvidia-cudnn-cu13"), reason);
        assertFalse(reason.contains("CUDA runtime not usable"), reason);
        assertEquals(1, reason.lines().count(), "one line, fit for an error message");

        CudaUnavailableException thrown = assertThrows(CudaUnavailableException.class, environment::orThrow);
        assertEquals(IsthmusException.EXIT_CUDA_UNAVAILABLE, thrown.exitCode());
        assertTrue(thrown.getMessage().contains(reason));
    }

    @Test
    void jsonCarriesTheSameFacts() throws IOException {
        Path onlyRuntime = Files.createDirectories(temp.resolve("only-runtime"));
        Files.createSymbolicLink(onlyRuntime.resolve("libcudart.so.13"), RealRuntime.LIBRARY);

        CudaEnvironment environment = CudaEnvironment.probe(SearchConfig.onlyFolders(List.of(onlyRuntime)));
        var json = environment.toJson();

        assertFalse(json.get("usable").asBoolean());
        assertEquals(environment.unusableReason().orElseThrow(), json.get("unusableReason").asText());
        assertEquals("loaded", json.get("libraries").get(0).get("status").asText());
        assertEquals("13.0", json.get("libraries").get(0).get("version").asText());
        assertEquals("not-found", json.get("libraries").get(1).get("status").asText());
        assertEquals(onlyRuntime.toString(), json.get("libraries").get(2).get("lookedIn").get(0).get("folder").asText());
        assertEquals("reference", json.get("autoBackend").get("backend").asText());
        assertEquals(Runtime.version().toString(), json.get("java").get("version").asText());
    }
}
