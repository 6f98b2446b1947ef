package dev.isthmus.backend.cuda.nativelib;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Discovery is pure: these tests create empty files with library names and load nothing. */
class LibrarySearchTest {

    @TempDir
    Path temp;

    private Path folder(String name, String... files) throws IOException {
        Path folder = Files.createDirectories(temp.resolve(name));
        for (String file : files) {
            Files.writeString(folder.resolve(file), "");
        }
        return folder;
    }

    private static SearchConfig config(SearchLocation... locations) {
        return new SearchConfig(List.of(locations), Map.of(), List.of());
    }

    private static SearchLocation plain(Path folder) {
        return new SearchLocation(folder, "test", false);
    }

    private static SearchLocation override(Path folder) {
        return new SearchLocation(folder, "override", true);
    }

    private static SearchOutcome.Located located(SearchOutcome outcome) {
        return assertInstanceOf(SearchOutcome.Located.class, outcome, () -> outcome.toString());
    }

    @Test
    void preferredMajorWinsOverSearchOrderOutsideOverrides() throws IOException {
        Path old = folder("old", "libcudart.so.12");
        Path current = folder("new", "libcudart.so.13");

        SearchOutcome.Located runtime = located(LibrarySearch.search(config(plain(old), plain(current))).of(CudaComponent.RUNTIME));

        assertEquals(13, runtime.major());
        assertEquals(current.resolve("libcudart.so.13"), runtime.mainFile().path());
    }

    @Test
    void overrideFolderWinsWithAnySupportedMajor() throws IOException {
        Path mine = folder("mine", "libcudart.so.12");
        Path system = folder("system", "libcudart.so.13");

        SearchOutcome.Located runtime = located(LibrarySearch.search(config(plain(system), override(mine))).of(CudaComponent.RUNTIME));

        assertEquals(12, runtime.major());
        assertEquals("override", runtime.mainFile().source());
    }

    @Test
    void cublasFollowsTheRuntimesMajorVersion() throws IOException {
        Path cuda12 = folder("cuda12", "libcudart.so.12", "libcublas.so.12", "libcublasLt.so.12");
        Path cublas13 = folder("cublas13", "libcublas.so.13", "libcublasLt.so.13");

        LibrarySearch.Result result = LibrarySearch.search(config(plain(cublas13), override(cuda12)));

        SearchOutcome.Located cublas = located(result.of(CudaComponent.CUBLAS));
        assertEquals(12, cublas.major());
        assertEquals(List.of(cuda12.resolve("libcublasLt.so.12"), cuda12.resolve("libcublas.so.12")),
                cublas.files().stream().map(LibraryFile::path).toList(), "libcublasLt loads before libcublas");
    }

    @Test
    void cublasLtIsSearchedElsewhereWhenNotBesideCublas() throws IOException {
        Path a = folder("a", "libcublas.so.13");
        Path b = folder("b", "libcublasLt.so.13");

        SearchOutcome.Located cublas = located(LibrarySearch.search(config(plain(a), plain(b))).of(CudaComponent.CUBLAS));

        assertEquals(b.resolve("libcublasLt.so.13"), cublas.files().getFirst().path());
    }

    @Test
    void cudnnSubLibrariesLoadInDependencyOrderAndAbsentOptionalOnesAreListed() throws IOException {
        Path cudnn = folder("cudnn", "libcudnn.so.9", "libcudnn_cnn.so.9", "libcudnn_graph.so.9",
                "libcudnn_ops.so.9", "libcudnn_engines_precompiled.so.9", "libcudnn.so.8");

        SearchOutcome.Located located = located(LibrarySearch.search(config(plain(cudnn))).of(CudaComponent.CUDNN));

        assertEquals(List.of("libcudnn_graph.so.9", "libcudnn_engines_precompiled.so.9", "libcudnn_ops.so.9",
                        "libcudnn_cnn.so.9", "libcudnn.so.9"),
                located.files().stream().map(file -> file.path().getFileName().toString()).toList());
        assertEquals(List.of(CudaLibrary.CUDNN_ENGINES_RUNTIME_COMPILED, CudaLibrary.CUDNN_HEURISTIC, CudaLibrary.CUDNN_ADV),
                located.absentOptional());
    }

    @Test
    void missingRequiredSubLibraryIsNamed() throws IOException {
        Path cudnn = folder("cudnn", "libcudnn.so.9", "libcudnn_graph.so.9", "libcudnn_ops.so.9");

        NotFound notFound = assertInstanceOf(NotFound.class, LibrarySearch.search(config(plain(cudnn))).of(CudaComponent.CUDNN));

        assertTrue(notFound.problem().startsWith("libcudnn_cnn.so.9 (needed by " + cudnn.resolve("libcudnn.so.9")),
                notFound.problem());
    }

    @Test
    void notFoundListsEveryFolderAndOlderVersionsSeen() throws IOException {
        Path a = folder("a", "libcudnn.so.8");
        Path b = folder("b");
        Path missing = temp.resolve("missing");

        NotFound notFound = assertInstanceOf(NotFound.class,
                LibrarySearch.search(config(plain(a), plain(b), plain(missing))).of(CudaComponent.CUDNN));

        assertEquals("libcudnn.so.9 not found", notFound.problem());
        assertEquals(List.of(a, b, missing), notFound.lookedIn().stream().map(SearchLocation::folder).toList());
        assertEquals(List.of(a.resolve("libcudnn.so.8")), notFound.unsupportedSeen());
        String diagnosis = notFound.diagnosis();
        assertTrue(diagnosis.startsWith("cuDNN not usable: libcudnn.so.9 not found (looked in: " + a + ", " + b + ")"), diagnosis);
        assertTrue(diagnosis.contains("found only unsupported " + a.resolve("libcudnn.so.8")), diagnosis);
        assertTrue(diagnosis.contains("pip install nvidia-cudnn-cu13") && diagnosis.contains("ISTHMUS_CUDA_PATH"), diagnosis);
        assertEquals(1, diagnosis.lines().count());
    }

    @Test
    void explicitFileReplacesTheSearch() throws IOException {
        Path chosen = folder("chosen", "libcudart.so.12");
        Path other = folder("other", "libcudart.so.13");
        SearchConfig config = new SearchConfig(List.of(override(other)),
                Map.of(CudaComponent.RUNTIME, new SearchConfig.ExplicitFile(chosen.resolve("libcudart.so.12"), "ISTHMUS_CUDART_LIBRARY")),
                List.of());

        SearchOutcome.Located runtime = located(LibrarySearch.search(config).of(CudaComponent.RUNTIME));

        assertEquals(chosen.resolve("libcudart.so.12"), runtime.mainFile().path());
        assertEquals(12, runtime.major());
    }

    @Test
    void explicitFileThatDoesNotExistIsReportedWithItsSetting() {
        Path absent = temp.resolve("nowhere/libcudnn.so.9");
        SearchConfig config = new SearchConfig(List.of(),
                Map.of(CudaComponent.CUDNN, new SearchConfig.ExplicitFile(absent, "-Disthmus.cudnn.library")), List.of());

        NotFound notFound = assertInstanceOf(NotFound.class, LibrarySearch.search(config).of(CudaComponent.CUDNN));

        assertEquals("-Disthmus.cudnn.library names " + absent + ", which is not an existing file", notFound.problem());
    }

    @Test
    void environmentSettingsAreSearchedInDocumentedOrder() throws IOException {
        Path property = folder("property");
        Path variable = folder("variable");
        Path cudaHome = folder("cuda-home/lib64");
        Path ld = folder("ld");
        Path venvPackages = folder("venv/lib/python3.12/site-packages/nvidia/cudnn/lib");
        Path conda = folder("conda/lib");
        Path linkerCache = folder("cache");

        SearchConfig config = SearchConfig.from(
                Map.of("ISTHMUS_CUDA_PATH", variable.toString(),
                        "CUDA_HOME", temp.resolve("cuda-home").toString(),
                        "LD_LIBRARY_PATH", ld + ":" + property,
                        "VIRTUAL_ENV", temp.resolve("venv").toString(),
                        "CONDA_PREFIX", temp.resolve("conda").toString()),
                Map.of("isthmus.cuda.path", property.toString(),
                        "isthmus.cudnn.library", "/opt/x/libcudnn.so.9")::get,
                temp.resolve("home"), List.of(linkerCache), "amd64");

        List<SearchLocation> locations = config.locations();
        List<Path> folders = locations.stream().map(SearchLocation::folder).toList();
        assertEquals(new SearchLocation(property, "-Disthmus.cuda.path", true), locations.get(0));
        assertEquals(new SearchLocation(variable, "ISTHMUS_CUDA_PATH", true), locations.get(1));
        assertEquals(new SearchLocation(cudaHome, "CUDA_HOME", false), locations.get(2));
        assertTrue(folders.indexOf(ld) > folders.indexOf(cudaHome), "LD_LIBRARY_PATH after CUDA_HOME");
        assertEquals(1, folders.stream().filter(property::equals).count(), "duplicates keep their first place");
        assertTrue(folders.indexOf(linkerCache) > folders.indexOf(ld), "ld.so.cache after LD_LIBRARY_PATH");
        assertTrue(folders.indexOf(Path.of("/usr/local/cuda/lib64")) > folders.indexOf(linkerCache));
        assertTrue(folders.indexOf(venvPackages) > folders.indexOf(Path.of("/usr/local/cuda/lib64")), "Python after system");
        assertEquals("Python packages", locations.get(folders.indexOf(venvPackages)).source());
        assertTrue(folders.indexOf(conda) > folders.indexOf(venvPackages), "conda after Python");
        assertTrue(config.scanned().contains(temp.resolve("venv/lib/python3.12/site-packages")));
        assertEquals(new SearchConfig.ExplicitFile(Path.of("/opt/x/libcudnn.so.9"), "-Disthmus.cudnn.library"),
                config.explicitFiles().get(CudaComponent.CUDNN));
    }

    @Test
    void processSettingsComeFirst() throws IOException {
        Path mine = folder("mine");
        String previous = System.getProperty(SearchConfig.PATH_PROPERTY);
        System.setProperty(SearchConfig.PATH_PROPERTY, mine.toString());
        try {
            SearchConfig config = SearchConfig.fromEnvironment();
            assertEquals(new SearchLocation(mine, "-Disthmus.cuda.path", true), config.locations().getFirst());
        } finally {
            if (previous == null) {
                System.clearProperty(SearchConfig.PATH_PROPERTY);
            } else {
                System.setProperty(SearchConfig.PATH_PROPERTY, previous);
            }
        }
    }

    @Test
    void linkerCacheKeepsOnlyCudaLibrariesOfThisArchitecture() {
        List<String> lines = List.of(
                "536 libs found in cache `/etc/ld.so.cache'",
                "\tlibz.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libz.so.1",
                "\tlibcudart.so.13 (libc6,x86-64) => /usr/local/cuda-13.0/lib/libcudart.so.13",
                "\tlibcudnn.so.9 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcudnn.so.9",
                "\tlibcublas.so.12 (libc6) => /usr/lib32/libcublas.so.12",
                "\tlibcudart.so (libc6,x86-64) => /usr/local/cuda-13.0/lib/libcudart.so");

        assertEquals(List.of(Path.of("/usr/local/cuda-13.0/lib"), Path.of("/usr/lib/x86_64-linux-gnu")),
                LinkerCache.parse(lines, "amd64"));
    }

    @Test
    void majorVersionIsReadFromFileNames() {
        assertEquals(13, LibrarySearch.majorOf(Path.of("/x/libcudart.so.13.0.96")).orElseThrow());
        assertTrue(LibrarySearch.majorOf(Path.of("/x/libcudart.so")).isEmpty());
    }
}
