package dev.isthmus.backend.cuda;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.isthmus.backend.cuda.nativelib.CudaComponent;
import dev.isthmus.backend.cuda.nativelib.CudaLibraries;
import dev.isthmus.backend.cuda.nativelib.CudaQueries;
import dev.isthmus.backend.cuda.nativelib.Gpu;
import dev.isthmus.backend.cuda.nativelib.LibrarySearch;
import dev.isthmus.backend.cuda.nativelib.LoadOutcome;
import dev.isthmus.backend.cuda.nativelib.NotFound;
import dev.isthmus.backend.cuda.nativelib.SearchConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.Supplier;

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

    private static final int CUDA_ERROR_STUB_LIBRARY = 34;
    private static final int CUDA_ERROR_INSUFFICIENT_DRIVER = 35;
    private static final int CUDA_ERROR_NO_DEVICE = 100;
    /** The cuDNN major version the bindings were generated for. */
    private static final int CUDNN_MAJOR = 9;

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
            return new Prober(CudaLibraries.load(LibrarySearch.search(config))).probe();
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
        JsonMapper mapper = JsonMapper.builder().build();
        ObjectNode root = mapper.createObjectNode();
        root.put("usable", usable());
        unusableReason().ifPresentOrElse(reason -> root.put("unusableReason", reason), () -> root.putNull("unusableReason"));
        ArrayNode problemArray = root.putArray("problems");
        problems.forEach(problemArray::add);
        BackendChoice auto = autoBackend();
        root.putObject("autoBackend").put("backend", auto.backend()).put("reason", auto.reason());

        root.putObject("java").put("version", platform.javaVersion()).put("vendor", platform.javaVendor());
        root.putObject("os").put("name", platform.osName()).put("version", platform.osVersion())
                .put("arch", platform.osArch());

        ArrayNode libraryArray = root.putArray("libraries");
        for (LoadOutcome outcome : libraries.outcomes()) {
            ObjectNode node = libraryArray.addObject();
            node.put("component", outcome.component().key()).put("name", outcome.component().displayName());
            switch (outcome) {
                case LoadOutcome.Loaded loaded -> {
                    node.put("status", "loaded").put("major", loaded.major());
                    node.put("path", loaded.mainFile().path().toString()).put("foundVia", loaded.mainFile().source());
                    versionText(outcome.component()).ifPresent(text -> node.put("version", text));
                    ArrayNode files = node.putArray("files");
                    loaded.files().forEach(file -> files.addObject().put("library", file.library().baseName())
                            .put("path", file.path().toString()).put("source", file.source()));
                    ArrayNode absent = node.putArray("absentOptional");
                    loaded.absentOptional().forEach(library -> absent.add(library.fileName(loaded.major())));
                    ArrayNode optionalFailed = node.putArray("optionalFailed");
                    loaded.optionalFailed().forEach(failure -> optionalFailed.addObject()
                            .put("path", failure.file().path().toString()).put("osReason", failure.osReason()));
                }
                case LoadOutcome.LoadFailed failed -> {
                    node.put("status", "load-failed");
                    node.put("path", failed.file().path().toString()).put("foundVia", failed.file().source());
                    node.put("osReason", failed.osReason());
                    node.put("problem", failed.diagnosis());
                }
                case NotFound notFound -> {
                    node.put("status", "not-found");
                    node.put("problem", notFound.diagnosis());
                    ArrayNode looked = node.putArray("lookedIn");
                    notFound.lookedIn().forEach(location -> looked.addObject()
                            .put("folder", location.folder().toString()).put("source", location.source())
                            .put("exists", location.exists()));
                    ArrayNode unsupported = node.putArray("unsupportedSeen");
                    notFound.unsupportedSeen().forEach(path -> unsupported.add(path.toString()));
                }
            }
        }
        versions.cudnnCudart().ifPresent(v -> root.put("cudnnBuiltForCuda", CudaQueries.cudaVersionText(v)));

        ObjectNode driver = root.putObject("driver");
        versions.driver().ifPresentOrElse(v -> {
            driver.put("versionNumber", v);
            driver.put("supportsCuda", v == 0 ? "none (no driver)" : CudaQueries.cudaVersionText(v));
        }, () -> driver.putNull("versionNumber"));

        ArrayNode gpuArray = root.putArray("gpus");
        for (Gpu gpu : gpus) {
            gpuArray.addObject().put("index", gpu.index()).put("name", gpu.name())
                    .put("totalMemoryBytes", gpu.totalMemoryBytes()).put("computeCapability", gpu.computeCapability())
                    .put("multiprocessors", gpu.multiprocessors());
        }
        gpuProblem.ifPresentOrElse(problem -> root.put("gpuProblem", problem), () -> root.putNull("gpuProblem"));

        libraries.chosenSet().ifPresentOrElse(set -> root.put("librariesFromOneInstallation", set.name()),
                () -> root.putNull("librariesFromOneInstallation"));
        ArrayNode searched = root.putObject("search").putArray("locations");
        libraries.config().locations().forEach(location -> searched.addObject()
                .put("folder", location.folder().toString()).put("source", location.source())
                .put("exists", location.exists()));
        ArrayNode scanned = ((ObjectNode) root.get("search")).putArray("scannedForPackages");
        libraries.config().scanned().forEach(path -> scanned.add(path.toString()));
        return root;
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

    /** Asks the loaded libraries their versions and devices, collecting problems in plain words. */
    private static final class Prober {
        private final CudaLibraries.LoadReport libraries;
        private final List<String> problems = new ArrayList<>();
        private OptionalInt runtime = OptionalInt.empty();
        private OptionalInt driver = OptionalInt.empty();
        private OptionalInt cublas = OptionalInt.empty();
        private OptionalLong cudnn = OptionalLong.empty();
        private OptionalLong cudnnCudart = OptionalLong.empty();
        private List<Gpu> gpus = List.of();
        private String gpuProblem;

        Prober(CudaLibraries.LoadReport libraries) {
            this.libraries = libraries;
        }

        CudaEnvironment probe() {
            probeRuntime();
            probeCublas();
            probeCudnn();
            return new CudaEnvironment(Platform.current(), libraries,
                    new Versions(runtime, driver, cublas, cudnn, cudnnCudart), gpus, Optional.ofNullable(gpuProblem),
                    problems);
        }

        private void probeRuntime() {
            switch (libraries.of(CudaComponent.RUNTIME)) {
                case NotFound notFound -> {
                    problems.add(notFound.diagnosis());
                    gpuProblem = "unknown: the CUDA runtime is not loaded";
                }
                case LoadOutcome.LoadFailed failed -> {
                    problems.add(failed.diagnosis());
                    gpuProblem = "unknown: the CUDA runtime is not loaded";
                }
                case LoadOutcome.Loaded loaded -> {
                    Path path = loaded.mainFile().path();
                    ask(() -> CudaQueries.runtimeVersion(), path, "cudaRuntimeGetVersion")
                            .ifPresent(v -> runtime = OptionalInt.of(v));
                    ask(() -> CudaQueries.driverVersion(), path, "cudaDriverGetVersion")
                            .ifPresent(v -> driver = OptionalInt.of(v));
                    probeDevices(path);
                }
            }
        }

        private void probeDevices(Path runtimePath) {
            int count;
            try {
                count = CudaQueries.deviceCount();
            } catch (CudaException e) {
                gpuProblem = deviceCountProblem(e);
                problems.add(gpuProblem);
                return;
            } catch (RuntimeException | LinkageError e) {
                gpuProblem = "the CUDA runtime at " + runtimePath + " does not answer cudaGetDeviceCount: " + e;
                problems.add(gpuProblem);
                return;
            }
            if (count == 0) {
                gpuProblem = "no CUDA GPU found (cudaGetDeviceCount returned 0 devices); check that nvidia-smi lists a GPU"
                        + " and that CUDA_VISIBLE_DEVICES does not hide it";
                problems.add(gpuProblem);
                return;
            }
            List<Gpu> found = new ArrayList<>();
            for (int index = 0; index < count; index++) {
                int device = index;
                ask(() -> CudaQueries.gpu(device), runtimePath, "cudaGetDeviceProperties").ifPresent(found::add);
            }
            gpus = found;
            if (found.isEmpty()) {
                gpuProblem = "none of the " + count + " CUDA devices answered cudaGetDeviceProperties";
            }
        }

        /** cudaGetDeviceCount's failure in plain words, with the runtime's own words in parentheses. */
        private String deviceCountProblem(CudaException e) {
            String call = "cudaGetDeviceCount returned " + e.statusName() + " (" + e.status() + ")"
                    + (e.libraryMessage().isBlank() ? "" : ": " + e.libraryMessage());
            String cuda = runtime.isPresent() ? "CUDA " + CudaQueries.cudaVersionText(runtime.getAsInt()) : "this CUDA runtime";
            String minimumDriver = runtime.isPresent() && runtime.getAsInt() < 13000
                    ? "525 or newer for CUDA 12" : "580 or newer for CUDA 13";
            return switch (e.status()) {
                case CUDA_ERROR_INSUFFICIENT_DRIVER -> driver.orElse(0) == 0
                        ? "no NVIDIA driver: the NVIDIA driver is not installed or too old for " + cuda + " (" + call
                                + "); install the NVIDIA driver, version " + minimumDriver
                        : "the NVIDIA driver supports only CUDA " + CudaQueries.cudaVersionText(driver.getAsInt())
                                + ", older than " + cuda + " (" + call + "); update the NVIDIA driver to version "
                                + minimumDriver;
                case CUDA_ERROR_NO_DEVICE -> "no CUDA GPU visible (" + call
                        + "); check that nvidia-smi lists a GPU and that CUDA_VISIBLE_DEVICES does not hide it";
                case CUDA_ERROR_STUB_LIBRARY -> "the NVIDIA driver library found is a stub, not a driver (" + call
                        + "); install the NVIDIA driver, or remove the stubs folder from LD_LIBRARY_PATH";
                default -> "the GPU cannot be used (" + call + "); check the driver with nvidia-smi";
            };
        }

        private void probeCublas() {
            switch (libraries.of(CudaComponent.CUBLAS)) {
                case NotFound notFound -> problems.add(notFound.diagnosis());
                case LoadOutcome.LoadFailed failed -> problems.add(failed.diagnosis());
                case LoadOutcome.Loaded loaded -> {
                    Path path = loaded.mainFile().path();
                    ask(() -> CudaQueries.cublasVersion(), path, "cublasGetProperty").ifPresent(v -> {
                        cublas = OptionalInt.of(v);
                        int cublasMajor = v / 10000;
                        if (runtime.isPresent() && cublasMajor != runtime.getAsInt() / 1000) {
                            problems.add("cuBLAS " + CudaQueries.cublasVersionText(v) + " at " + path + " belongs to CUDA "
                                    + cublasMajor + " but the CUDA runtime is " + CudaQueries.cudaVersionText(runtime.getAsInt())
                                    + "; install the cuBLAS of CUDA " + runtime.getAsInt() / 1000
                                    + " or point " + SearchConfig.PATH_VARIABLE + " at a matching pair");
                        }
                    });
                }
            }
        }

        private void probeCudnn() {
            switch (libraries.of(CudaComponent.CUDNN)) {
                case NotFound notFound -> problems.add(notFound.diagnosis());
                case LoadOutcome.LoadFailed failed -> problems.add(failed.diagnosis());
                case LoadOutcome.Loaded loaded -> {
                    Path path = loaded.mainFile().path();
                    ask(() -> CudaQueries.cudnnVersion(), path, "cudnnGetVersion").ifPresent(v -> {
                        cudnn = OptionalLong.of(v);
                        if (CudaQueries.cudnnMajor(v) != CUDNN_MAJOR) {
                            problems.add("cuDNN " + CudaQueries.cudnnVersionText(v) + " at " + path
                                    + " does not match the bindings, which need cuDNN " + CUDNN_MAJOR + "; install "
                                    + CudaComponent.CUDNN.installHint());
                        }
                    });
                    ask(() -> CudaQueries.cudnnCudartVersion(), path, "cudnnGetCudartVersion").ifPresent(v -> {
                        cudnnCudart = OptionalLong.of(v);
                        if (runtime.isPresent() && v / 1000 != runtime.getAsInt() / 1000) {
                            long major = runtime.getAsInt() / 1000;
                            problems.add("cuDNN at " + path + " was built for CUDA " + CudaQueries.cudaVersionText(v)
                                    + " but the CUDA runtime is " + CudaQueries.cudaVersionText(runtime.getAsInt())
                                    + "; install cuDNN " + CUDNN_MAJOR + " for CUDA " + major
                                    + " (e.g. `pip install nvidia-cudnn-cu" + major + "`)");
                        }
                    });
                }
            }
        }

        /** Runs one query; a failure becomes a problem naming the library file and the function. */
        private <T> Optional<T> ask(Supplier<T> query, Path library, String function) {
            try {
                return Optional.of(query.get());
            } catch (CudaException e) {
                problems.add(library + ": " + e.getMessage());
            } catch (RuntimeException | LinkageError e) {
                // Typically a symbol the bindings expect is missing: an older or foreign library.
                problems.add(library + " does not provide " + function + " as the bindings expect (" + e
                        + "); install a supported version");
            }
            return Optional.empty();
        }
    }
}
