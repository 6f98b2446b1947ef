package dev.isthmus.backend.cuda.nativelib;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Discovery on fake library trees (empty files with library names; nothing is loaded): a virtual
 * environment found through the python3 on PATH, one consistent installation preferred over a mix, and
 * NVRTC, which cuDNN opens by name, found where pip's wheels put it.
 */
class InstallationSetSearchTest {
    private static final List<String> CUDNN_FILES = List.of("libcudnn.so.9", "libcudnn_graph.so.9", "libcudnn_ops.so.9",
            "libcudnn_cnn.so.9", "libcudnn_adv.so.9", "libcudnn_heuristic.so.9");

    @TempDir
    Path temp;

    private Path folder(Path folder, List<String> files) throws IOException {
        Files.createDirectories(folder);
        for (String file : files) {
            Files.writeString(folder.resolve(file), "");
        }
        return folder;
    }

    /** site-packages of a venv with torch's CUDA 13 wheels: cudart, cuBLAS and NVRTC in nvidia/cu13/lib, cuDNN apart. */
    private Path cuda13Venv(String name) throws IOException {
        Path site = temp.resolve(name + "/lib/python3.12/site-packages");
        folder(site.resolve("nvidia/cu13/lib"), List.of("libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13", "libnvrtc.so.13"));
        folder(site.resolve("nvidia/cudnn/lib"), CUDNN_FILES);
        Files.createDirectories(site.resolve("nvidia_cudnn_cu13-9.13.0.50.dist-info"));
        Files.createDirectories(site.resolve("torch/lib"));
        return site;
    }

    private static SearchOutcome.Located located(LibrarySearch.Result result, CudaComponent component) {
        return assertInstanceOf(SearchOutcome.Located.class, result.of(component), () -> result.of(component).toString());
    }

    @Test
    void venvOnPathIsFoundWithoutVirtualEnv() throws IOException {
        Path site = cuda13Venv("opt-venv");
        Map<String, String> noVirtualEnv = Map.of("PATH", temp.resolve("opt-venv/bin").toString());

        SearchConfig config = SearchConfig.from(noVirtualEnv, key -> null, temp.resolve("home"), List.of(), "amd64", List.of(site));
        LibrarySearch.Result result = LibrarySearch.search(config);

        assertEquals("Python packages in " + site, result.chosenSet().orElseThrow().name());
        SearchOutcome.Located runtime = located(result, CudaComponent.RUNTIME);
        assertEquals(site.resolve("nvidia/cu13/lib/libcudart.so.13"), runtime.mainFile().path());
        assertEquals("Python packages of the python3 on PATH", runtime.mainFile().source());
        assertEquals(List.of(site.resolve("nvidia/cu13/lib/libnvrtc.so.13"), site.resolve("nvidia/cu13/lib/libcudart.so.13")),
                runtime.files().stream().map(LibraryFile::path).toList(), "NVRTC loads before cudart, by path");
        assertEquals(site.resolve("nvidia/cu13/lib/libcublas.so.13"), located(result, CudaComponent.CUBLAS).mainFile().path());
        SearchOutcome.Located cudnn = located(result, CudaComponent.CUDNN);
        assertEquals(site.resolve("nvidia/cudnn/lib/libcudnn.so.9"), cudnn.mainFile().path());
        assertEquals(List.of(CudaLibrary.CUDNN_ENGINES_PRECOMPILED, CudaLibrary.CUDNN_ENGINES_RUNTIME_COMPILED), cudnn.absentOptional());

        // The same machine without asking python3: the venv is not among the well-known places.
        SearchConfig withoutPython = SearchConfig.from(noVirtualEnv, key -> null, temp.resolve("home"), List.of(), "amd64");
        assertTrue(withoutPython.locations().stream().noneMatch(location -> location.folder().startsWith(site)),
                withoutPython.locations().toString());
    }

    @Test
    void oneConsistentInstallationWinsOverAToolkitAndAnotherCudnn() throws IOException {
        // The toolkit has a CUDA 13 runtime and cuBLAS, the system a cuDNN of unknown CUDA version; the
        // venv has a complete CUDA 12 set. Mixing would pair cudart 13 with whatever cuDNN the system has.
        Path toolkit = folder(temp.resolve("cuda-13.0/lib64"), List.of("libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13"));
        Path system = folder(temp.resolve("usr-lib"), CUDNN_FILES);
        Path site = temp.resolve("venv12/lib/python3.11/site-packages");
        Path runtime12 = folder(site.resolve("nvidia/cuda_runtime/lib"), List.of("libcudart.so.12"));
        Path cublas12 = folder(site.resolve("nvidia/cublas/lib"), List.of("libcublas.so.12", "libcublasLt.so.12"));
        Path nvrtc12 = folder(site.resolve("nvidia/cuda_nvrtc/lib"), List.of("libnvrtc.so.12"));
        Path cudnn = folder(site.resolve("nvidia/cudnn/lib"), CUDNN_FILES);
        List<SearchLocation> locations = List.of(new SearchLocation(toolkit, "CUDA_HOME", false),
                new SearchLocation(system, "system", false), new SearchLocation(runtime12, "Python packages", false),
                new SearchLocation(cublas12, "Python packages", false), new SearchLocation(nvrtc12, "Python packages", false),
                new SearchLocation(cudnn, "Python packages", false));
        LibrarySet venv = new LibrarySet("venv12", List.of(runtime12, cublas12, nvrtc12, cudnn), OptionalInt.of(12));

        LibrarySearch.Result result = LibrarySearch.search(new SearchConfig(locations, Map.of(), List.of(), List.of(venv)));

        assertEquals("venv12", result.chosenSet().orElseThrow().name());
        assertEquals(runtime12.resolve("libcudart.so.12"), located(result, CudaComponent.RUNTIME).mainFile().path());
        assertEquals(nvrtc12.resolve("libnvrtc.so.12"), located(result, CudaComponent.RUNTIME).files().getFirst().path(),
                "NVRTC is not beside cudart in CUDA 12 wheels and is searched for");
        assertEquals(cublas12.resolve("libcublas.so.12"), located(result, CudaComponent.CUBLAS).mainFile().path());
        assertEquals(cudnn.resolve("libcudnn.so.9"), located(result, CudaComponent.CUDNN).mainFile().path());

        // Without the set, the search mixes: the toolkit's CUDA 13 runtime with the first cuDNN in search order.
        LibrarySearch.Result mixed = LibrarySearch.search(new SearchConfig(locations, Map.of(), List.of()));
        assertEquals(toolkit.resolve("libcudart.so.13"), located(mixed, CudaComponent.RUNTIME).mainFile().path());
        assertEquals(system.resolve("libcudnn.so.9"), located(mixed, CudaComponent.CUDNN).mainFile().path());
        assertTrue(mixed.chosenSet().isEmpty());
    }

    @Test
    void setWhoseCudnnWasBuiltForAnotherCudaIsNotConsistent() throws IOException {
        Path runtime = folder(temp.resolve("a/nvidia/cu13/lib"), List.of("libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13"));
        Path cudnn = folder(temp.resolve("a/nvidia/cudnn/lib"), CUDNN_FILES);
        LibrarySet cudnnFor12 = new LibrarySet("mixed wheels", List.of(runtime, cudnn), OptionalInt.of(12));
        List<SearchLocation> locations = List.of(new SearchLocation(runtime, "Python packages", false),
                new SearchLocation(cudnn, "Python packages", false));

        LibrarySearch.Result result = LibrarySearch.search(new SearchConfig(locations, Map.of(), List.of(), List.of(cudnnFor12)));

        assertTrue(result.chosenSet().isEmpty(), "cuDNN for CUDA 12 beside a CUDA 13 runtime is no consistent set");
        assertEquals(13, located(result, CudaComponent.RUNTIME).major());
    }

    @Test
    void userNamedFoldersBeatInstallationSets() throws IOException {
        Path site = cuda13Venv("venv");
        Path mine = folder(temp.resolve("mine"), List.of("libcudart.so.12", "libcublas.so.12", "libcublasLt.so.12"));

        SearchConfig config = SearchConfig.from(Map.of("ISTHMUS_CUDA_PATH", mine.toString()), key -> null, temp.resolve("home"),
                List.of(), "amd64", List.of(site));
        LibrarySearch.Result result = LibrarySearch.search(config);

        assertTrue(result.chosenSet().isEmpty());
        assertEquals(mine.resolve("libcudart.so.12"), located(result, CudaComponent.RUNTIME).mainFile().path());
    }

    @Test
    void cudnnWheelNamesItsCudaMajor() throws IOException {
        Path site = cuda13Venv("venv");
        assertEquals(OptionalInt.of(13), SearchConfig.cudnnCudaMajor(site));
        assertEquals(OptionalInt.empty(), SearchConfig.cudnnCudaMajor(temp.resolve("missing")));
    }

    @Test
    void pythonAnswersAreKeptWhenTheyAreExistingFolders() throws IOException {
        Path site = Files.createDirectories(temp.resolve("site-packages"));
        assertEquals(List.of(site), PythonSitePackages.parse(List.of("", "relative/site-packages", site.toString(),
                temp.resolve("gone").toString(), site + "/")));
    }
}
