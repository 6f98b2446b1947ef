package dev.isthmus.backend.cuda;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.isthmus.backend.cuda.nativelib.CudaComponent;
import dev.isthmus.backend.cuda.nativelib.CudaLibraries;
import dev.isthmus.backend.cuda.nativelib.CudaQueries;
import dev.isthmus.backend.cuda.nativelib.Gpu;
import dev.isthmus.backend.cuda.nativelib.LibrarySearch;
import dev.isthmus.backend.cuda.nativelib.LoadOutcome;
import dev.isthmus.backend.cuda.nativelib.NotFound;
import dev.isthmus.backend.cuda.nativelib.SearchConfig;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What this machine offers the CUDA backend: JDK and OS, each NVIDIA library (where it was found and its
 * version, or why not), the driver, the GPUs, and a verdict. Immutable.
 *
 * <p>{@link #probe()} searches for and loads the libraries (once per JVM) and asks them for versions
 * and devices; it never throws for environment problems, which become {@link #problems()}. The CUDA
 * backend calls {@link #requireUsable()} when it opens: no silent fallback to another backend.
 *
 * @param platform  JDK and operating system
 * @param libraries per component (runtime, cuBLAS, cuDNN): loaded files, or not found (and where it
 *                  looked), or failed to load (and the operating system's reason)
 * @param versions  version numbers read from the loaded libraries
 * @param gpus      the devices the runtime reports; empty when none is usable
 * @param gpuProblem why no GPU is usable, in plain words; empty when there are GPUs
 * @param problems  every reason the backend cannot run, one line each with the fix; empty when usable
 */
public record CudaEnvironment(Platform platform,
                              CudaLibraries.LoadReport libraries,
                              Versions versions,
                              List<Gpu> gpus,
                              Optional<String> gpuProblem,
                              List<String> problems) {

    /**
     * Copies the lists.
     */
    public CudaEnvironment {
        gpus = List.copyOf(gpus);
        problems = List.copyOf(problems);
    }

    /**
     * The JDK and operating system running this process.
     *
     * @param javaVersion the JDK version
     * @param javaVendor  the JDK vendor
     * @param osName      the operating system
     * @param osVersion   its version
     * @param osArch      the processor architecture
     */
    public record Platform(String javaVersion, String javaVendor, String osName, String osVersion, String osArch) {
        /**
         * The platform of this process.
         *
         * @return the platform
         */
        public static Platform current() {
            return new Platform(Runtime.version().toString(), System.getProperty("java.vendor", "unknown"),
                    System.getProperty("os.name", "unknown"), System.getProperty("os.version", "unknown"),
                    System.getProperty("os.arch", "unknown"));
        }
    }

    /**
     * Versions read from the loaded libraries; empty when the library is not loaded or did not answer.
     *
     * @param runtime     cudaRuntimeGetVersion, e.g. 13000
     * @param driver      cudaDriverGetVersion: the CUDA version the driver supports; 0 means no driver
     * @param cublas      10000 × major + 100 × minor + patch, e.g. 130000
     * @param cudnn       cudnnGetVersion, e.g. 91300
     * @param cudnnCudart cudnnGetCudartVersion: the runtime version cuDNN was built for, e.g. 13000
     */
    public record Versions(OptionalInt runtime, OptionalInt driver, OptionalInt cublas, OptionalLong cudnn,
                           OptionalLong cudnnCudart) {
    }

    /**
     * The backend {@code --backend auto} picks, and why.
     *
     * @param backend the backend picked
     * @param reason  why
     */
    public record BackendChoice(String backend, String reason) {
    }

    /**
     * Probes the environment as configured by system properties and environment variables. Never throws.
     *
     * @return the report
     */
    public static CudaEnvironment probe() {
        SearchConfig config;
        try {
            config = SearchConfig.fromEnvironment();
        } catch (RuntimeException e) {
            // A malformed setting (e.g. an invalid path in ISTHMUS_CUDA_PATH) must still give a report.
            return failed("cannot read the CUDA search settings: " + e.getMessage());
        }
        return probe(config);
    }

    /**
     * Probes with an explicit search configuration (tests, tools). Never throws for environment problems.
     *
     * @param config where to look for the libraries
     * @return the report
     */
    public static CudaEnvironment probe(SearchConfig config) {
        try {
            return new CudaProber(CudaLibraries.load(LibrarySearch.search(config))).probe();
        } catch (RuntimeException | LinkageError e) {
            return failed("probing the CUDA environment failed unexpectedly: " + e);
        }
    }

    /**
     * Probes and returns the environment when the CUDA backend can run.
     *
     * @return the usable environment
     * @throws CudaUnavailableException (exit code 3) with {@link #unusableReason()} otherwise
     */
    public static CudaEnvironment requireUsable() {
        return probe().orThrow();
    }

    /**
     * This environment if usable, otherwise throws {@link CudaUnavailableException}.
     *
     * @return this environment
     */
    public CudaEnvironment orThrow() {
        if (!usable()) {
            throw new CudaUnavailableException(unusableReason().orElseThrow());
        }
        return this;
    }

    private static CudaEnvironment failed(String problem) {
        return new CudaEnvironment(Platform.current(),
                new CudaLibraries.LoadReport(new SearchConfig(List.of(), Map.of(), List.of()),
                        Arrays.stream(CudaComponent.values())
                                .<LoadOutcome>map(component -> new NotFound(component, "not examined", List.of(), List.of()))
                                .toList()),
                new Versions(OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(), OptionalLong.empty(),
                        OptionalLong.empty()),
                List.of(), Optional.of(problem), List.of(problem));
    }

    /**
     * Whether the CUDA backend can run: all libraries loaded, versions consistent, at least one GPU.
     *
     * @return whether it can run
     */
    public boolean usable() {
        return problems.isEmpty() && !gpus.isEmpty();
    }

    /**
     * One line for an error message: what is missing or wrong and how to fix it; empty when usable.
     * Several problems are numbered: "3 problems: (1) …; (2) …; (3) …".
     *
     * @return the reason, or empty
     */
    public Optional<String> unusableReason() {
        if (usable()) {
            return Optional.empty();
        }
        if (problems.size() == 1) {
            return Optional.of(problems.getFirst());
        }
        StringBuilder line = new StringBuilder().append(problems.size()).append(" problems: ");
        for (int i = 0; i < problems.size(); i++) {
            line.append(i == 0 ? "" : "; ").append('(').append(i + 1).append(") ").append(problems.get(i));
        }
        return Optional.of(line.toString());
    }

    /**
     * What {@code --backend auto} picks: cuda when usable, otherwise the pure-Java reference backend.
     *
     * @return the backend and why
     */
    public BackendChoice autoBackend() {
        return usable()
                ? new BackendChoice("cuda", "CUDA backend usable on " + gpus.getFirst().describe())
                : new BackendChoice("reference", "CUDA backend not usable: " + unusableReason().orElseThrow());
    }

    /**
     * The outcome for one component.
     *
     * @param component the component
     * @return its outcome
     */
    public LoadOutcome library(CudaComponent component) {
        return libraries.of(component);
    }

    /**
     * The report as JSON: the same facts as {@code isthmus doctor} prints.
     *
     * @return the JSON report
     */
    public ObjectNode toJson() {
        return EnvironmentJson.of(this);
    }

    /**
     * The version of a loaded component as people write it ("13.0", "13.0.0", "9.13.0").
     *
     * @param component the component
     * @return its version, or empty when not loaded
     */
    public Optional<String> versionText(CudaComponent component) {
        return switch (component) {
            case RUNTIME -> versions.runtime().isPresent()
                    ? Optional.of(CudaQueries.cudaVersionText(versions.runtime().getAsInt())) : Optional.empty();
            case CUBLAS -> versions.cublas().isPresent()
                    ? Optional.of(CudaQueries.cublasVersionText(versions.cublas().getAsInt())) : Optional.empty();
            case CUDNN -> versions.cudnn().isPresent()
                    ? Optional.of(CudaQueries.cudnnVersionText(versions.cudnn().getAsLong())) : Optional.empty();
        };
    }
}
