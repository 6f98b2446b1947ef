package dev.isthmus.cli;

import dev.isthmus.backend.cuda.CudaEnvironment;
import dev.isthmus.backend.cuda.nativelib.CudaComponent;
import dev.isthmus.backend.cuda.nativelib.Gpu;
import dev.isthmus.backend.cuda.nativelib.CudaLibraries;
import dev.isthmus.backend.cuda.nativelib.LibrarySearch;
import dev.isthmus.backend.cuda.nativelib.LoadOutcome;
import dev.isthmus.backend.cuda.nativelib.SearchConfig;
import dev.isthmus.backend.cuda.nativelib.SearchOutcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@code isthmus doctor} prints for a machine like the borrowed GPU machine: torch's CUDA 13 wheels in
 * a virtual environment that is first on PATH but not activated, with one optional cuDNN library the
 * dynamic linker refuses. The tree is fake (empty files); the search is real, the loading is simulated.
 */
class DoctorOnFakeTreesTest {

    @TempDir
    Path temp;

    private Path venvWithTorchWheels() throws IOException {
        Path site = temp.resolve("opt/venv/lib/python3.12/site-packages");
        Path cu13 = Files.createDirectories(site.resolve("nvidia/cu13/lib"));
        Path cudnn = Files.createDirectories(site.resolve("nvidia/cudnn/lib"));
        for (String name : List.of("libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13", "libnvrtc.so.13")) {
            Files.writeString(cu13.resolve(name), "");
        }
        for (String name : List.of("libcudnn.so.9", "libcudnn_graph.so.9", "libcudnn_ops.so.9", "libcudnn_cnn.so.9",
                "libcudnn_adv.so.9", "libcudnn_heuristic.so.9", "libcudnn_engines_precompiled.so.9",
                "libcudnn_engines_runtime_compiled.so.9")) {
            Files.writeString(cudnn.resolve(name), "");
        }
        Files.createDirectories(site.resolve("nvidia_cudnn_cu13-9.13.0.50.dist-info"));
        return site;
    }

    /** The environment as probing would give it if the files loaded, except cuDNN's adv library. */
    private static CudaEnvironment loadedAsFound(LibrarySearch.Result search, Path refusedAdv) {
        List<LoadOutcome> outcomes = search.outcomes().stream().map(outcome -> {
            SearchOutcome.Located located = (SearchOutcome.Located) outcome;
            List<LoadOutcome.OptionalFailure> failed = located.files().stream()
                    .filter(file -> file.path().equals(refusedAdv))
                    .map(file -> new LoadOutcome.OptionalFailure(file, "libcublasLt.so.13: cannot open shared object file: No such file or directory"))
                    .toList();
            return (LoadOutcome) new LoadOutcome.Loaded(located.component(), located.major(),
                    located.files().stream().filter(file -> !file.path().equals(refusedAdv)).toList(), located.absentOptional(), failed);
        }).toList();
        return new CudaEnvironment(CudaEnvironment.Platform.current(),
                new CudaLibraries.LoadReport(search.config(), outcomes, search.chosenSet()),
                new CudaEnvironment.Versions(OptionalInt.of(13000), OptionalInt.of(13000), OptionalInt.of(130100),
                        OptionalLong.of(91300), OptionalLong.of(13000)),
                List.of(new Gpu(0, "NVIDIA H200 (simulated)", 150L << 30, 9, 0, 132)), Optional.empty(), List.of());
    }

    @Test
    void venvWithoutVirtualEnvAndABrokenOptionalLibrary() throws IOException {
        Path site = venvWithTorchWheels();
        SearchConfig config = SearchConfig.from(Map.of(), key -> null, temp.resolve("home"), List.of(), "amd64", List.of(site));
        Path adv = site.resolve("nvidia/cudnn/lib/libcudnn_adv.so.9");
        CudaEnvironment environment = loadedAsFound(LibrarySearch.search(config), adv);

        StringWriter text = new StringWriter();
        DoctorCommand.printText(environment, new PrintWriter(text, true));
        String out = text.toString();

        assertTrue(out.contains("Libraries from one installation: Python packages in " + site
                + " (runtime, cuBLAS and cuDNN of one CUDA version)"), out);
        assertTrue(out.contains("cudart   13.0 loaded from " + site.resolve("nvidia/cu13/lib/libcudart.so.13")
                + " (found via Python packages of the python3 on PATH)\n         with libnvrtc.so.13\n"), out);
        assertTrue(out.contains("cuDNN    9.13.0 loaded from " + site.resolve("nvidia/cudnn/lib/libcudnn.so.9")), out);
        assertTrue(out.contains("         optional, failed to load (cuDNN works without it): libcudnn_adv.so.9 (" + adv
                + "): libcublasLt.so.13: cannot open shared object file: No such file or directory\n"), out);
        assertTrue(out.contains("CUDA backend: usable"), out);
        assertEquals("Python packages in " + site, environment.toJson().get("librariesFromOneInstallation").asText());
        assertEquals(adv.toString(), environment.toJson().get("libraries").get(2).get("optionalFailed").get(0).get("path").asText());
        assertEquals(CudaComponent.CUDNN.key(), environment.toJson().get("libraries").get(2).get("component").asText());
    }
}
