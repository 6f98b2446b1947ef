package dev.isthmus.testing.standin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The CPU stand-in of libcudart.so.13, libcublas.so.13 and libcudnn.so.9 (native-scripts/cuda-standin),
 * compiled with gcc once per build into {@code <module>/<build dir>/cuda-standin} and rebuilt when its
 * sources change. TEST-ONLY: it shows that our Java calls are well-formed and consistent with NVIDIA's
 * documentation, never that the GPU path works (docs/cuda-standin.md, docs/gpu-verification.md).
 *
 * <p>Tests that run the CUDA backend on it are tagged {@code @Tag("standin")} (their own Surefire JVM: the
 * stand-in's libcudart.so.13 and NVIDIA's must never meet in one process) and call
 * {@link #useForCudaBackend()} before anything loads CUDA.
 */
public final class CudaStandIn {
    /** System property the CUDA backend searches first (SearchConfig.PATH_PROPERTY). */
    public static final String CUDA_PATH_PROPERTY = "isthmus.cuda.path";

    /** The libraries build.sh writes; the last four are empty companions NVIDIA's loaders expect beside the main ones. */
    public static final List<String> LIBRARY_FILES = List.of(
            "libcudart.so.13", "libcublas.so.13", "libcudnn.so.9",
            "libcublasLt.so.13", "libcudnn_graph.so.9", "libcudnn_ops.so.9", "libcudnn_cnn.so.9");

    private static final String SOURCES = "native-scripts/cuda-standin";
    private static Path built;

    private CudaStandIn() {
    }

    /** The folder holding the stand-in libraries, compiling them first when missing or older than the sources. */
    public static synchronized Path libraryDir() {
        if (built == null) {
            Path sources = sourceDir();
            Path output = outputDir();
            if (!upToDate(sources, output)) {
                build(sources, output);
            }
            built = output;
        }
        return built;
    }

    /** One library file of the stand-in, e.g. {@code library("libcudnn.so.9")}. */
    public static Path library(String fileName) {
        if (!LIBRARY_FILES.contains(fileName)) {
            throw new IllegalArgumentException("the stand-in has no library " + fileName + "; it builds " + LIBRARY_FILES);
        }
        return libraryDir().resolve(fileName);
    }

    /**
     * Points the CUDA backend's library search at the stand-in ({@code -Disthmus.cuda.path}), building it
     * if needed. Call it before anything in the JVM loads CUDA; returns the folder.
     */
    public static Path useForCudaBackend() {
        Path folder = libraryDir();
        System.setProperty(CUDA_PATH_PROPERTY, folder.toString());
        return folder;
    }

    /**
     * {@code System.load}s the stand-in's libcudart, libcublas and libcudnn so that the jextract bindings
     * (which resolve symbols through the class loader's libraries) call them. Only for tests that use the
     * bindings directly; the CUDA backend loads the libraries itself after {@link #useForCudaBackend()}.
     */
    public static synchronized void loadForBindings() {
        for (String name : LIBRARY_FILES.subList(0, 3)) {
            try {
                System.load(library(name).toRealPath().toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** native-scripts/cuda-standin of this checkout, found upwards from the test classes or the working folder. */
    public static Path sourceDir() {
        for (Path start : List.of(codeSource(), Path.of("").toAbsolutePath())) {
            for (Path folder = start; folder != null; folder = folder.getParent()) {
                Path candidate = folder.resolve(SOURCES);
                if (Files.isRegularFile(candidate.resolve("build.sh"))) {
                    return candidate;
                }
            }
        }
        throw new IllegalStateException("CudaStandIn: cannot find " + SOURCES + "/build.sh above " + codeSource()
                + " or the working folder; run the tests from the Isthmus checkout.");
    }

    /** {@code <build dir>/cuda-standin} next to test-classes; for a test jar, {@code target/cuda-standin} of the working folder. */
    private static Path outputDir() {
        Path source = codeSource();
        Path buildDir = Files.isDirectory(source) ? source.getParent() : Path.of("target").toAbsolutePath();
        return buildDir.resolve("cuda-standin");
    }

    private static Path codeSource() {
        try {
            return Path.of(CudaStandIn.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("CudaStandIn: unreadable class location", e);
        }
    }

    private static boolean upToDate(Path sources, Path output) {
        try (Stream<Path> files = Files.list(sources)) {
            FileTime newestSource = files.map(CudaStandIn::modified).max(FileTime::compareTo).orElseThrow();
            for (String library : LIBRARY_FILES) {
                Path file = output.resolve(library);
                if (!Files.isRegularFile(file) || modified(file).compareTo(newestSource) < 0) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void build(Path sources, Path output) {
        String compiler = System.getenv().getOrDefault("CC", "gcc");
        if (!onPath(compiler)) {
            throw new IllegalStateException("CudaStandIn: '" + compiler + "' is not on PATH. The CPU stand-in of the CUDA"
                    + " libraries is compiled from C at test time: install gcc (e.g. apt-get install gcc), or exclude the"
                    + " 'standin' test tag.");
        }
        try {
            Files.createDirectories(output);
            Process process = new ProcessBuilder("bash", sources.resolve("build.sh").toString(), output.toString())
                    .redirectErrorStream(true).start();
            process.getOutputStream().close();
            String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("CudaStandIn: build.sh took more than 5 minutes");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("CudaStandIn: " + sources.resolve("build.sh") + " failed (exit "
                        + process.exitValue() + "):\n" + log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("CudaStandIn: could not run build.sh", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("CudaStandIn: interrupted while building", e);
        }
    }

    private static boolean onPath(String program) {
        if (program.contains("/")) {
            return Files.isExecutable(Path.of(program));
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String folder : path.split(java.io.File.pathSeparator)) {
            if (!folder.isEmpty() && Files.isExecutable(Path.of(folder, program))) {
                return true;
            }
        }
        return false;
    }
}
