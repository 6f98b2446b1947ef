package dev.isthmus.backend.cuda;

import dev.isthmus.backend.cuda.nativelib.CudaComponent;
import dev.isthmus.backend.cuda.nativelib.CudaLibraries;
import dev.isthmus.backend.cuda.nativelib.CudaQueries;
import dev.isthmus.backend.cuda.nativelib.Gpu;
import dev.isthmus.backend.cuda.nativelib.LoadOutcome;
import dev.isthmus.backend.cuda.nativelib.NotFound;
import dev.isthmus.backend.cuda.nativelib.SearchConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.Supplier;

/** Asks the loaded libraries their versions and devices, collecting problems in plain words: {@link CudaEnvironment#probe()}'s work. */
final class CudaProber {
    private static final int CUDA_ERROR_STUB_LIBRARY = 34;
    private static final int CUDA_ERROR_INSUFFICIENT_DRIVER = 35;
    private static final int CUDA_ERROR_NO_DEVICE = 100;
    /** The cuDNN major version the bindings were generated for. */
    private static final int CUDNN_MAJOR = 9;

    private final CudaLibraries.LoadReport libraries;
    private final List<String> problems = new ArrayList<>();
    private OptionalInt runtime = OptionalInt.empty();
    private OptionalInt driver = OptionalInt.empty();
    private OptionalInt cublas = OptionalInt.empty();
    private OptionalLong cudnn = OptionalLong.empty();
    private OptionalLong cudnnCudart = OptionalLong.empty();
    private List<Gpu> gpus = List.of();
    private String gpuProblem;

    CudaProber(CudaLibraries.LoadReport libraries) {
        this.libraries = libraries;
    }

    CudaEnvironment probe() {
        probeRuntime();
        probeCublas();
        probeCudnn();
        return new CudaEnvironment(CudaEnvironment.Platform.current(), libraries,
                new CudaEnvironment.Versions(runtime, driver, cublas, cudnn, cudnnCudart), gpus, Optional.ofNullable(gpuProblem),
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
