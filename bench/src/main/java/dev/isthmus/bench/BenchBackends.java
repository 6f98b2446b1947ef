package dev.isthmus.bench;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.cpu.CpuBackend;
import dev.isthmus.backend.cpu.DnnlLibrary;
import dev.isthmus.backend.cuda.CudaBackend;
import dev.isthmus.backend.cuda.CudaEnvironment;
import dev.isthmus.backend.cuda.CudaOptions;
import dev.isthmus.backend.cuda.nativelib.SearchConfig;
import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.backend.vector.VectorBackend;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.lang.module.ModuleFinder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Opens the backend a benchmark's {@code backend} parameter names and waits for its queued work,
 * so that a measured time covers the work itself and not only its launch.
 */
public final class BenchBackends {
    /** Every backend a benchmark may be parameterised with, in report order. */
    public static final List<String> ALL = List.of("reference", "cpu", "vector", "cuda");

    /**
     * The CUDA backend running on the CPU stand-in of the CUDA libraries (native-scripts/cuda-standin),
     * whose folder {@link #STAND_IN_PROPERTY} names. Never a GPU figure: it shows the CUDA backend's
     * host-side cost per op (Java, descriptors, downcalls) where the stand-in's own work is negligible.
     * Only run on request ({@code bench.sh --cuda-standin}).
     */
    public static final String CUDA_STAND_IN = "cuda-standin";

    /** The folder of the built stand-in libraries; while set, "cuda" is refused so no stand-in figure is labelled cuda. */
    public static final String STAND_IN_PROPERTY = "isthmus.bench.cudaStandIn";

    private BenchBackends() {
    }

    /**
     * Opens a backend by name.
     *
     * @throws IllegalStateException "cuda: not usable here: …" when CUDA cannot run on this machine
     *                               (the runner leaves cuda out in that case, so this only happens when
     *                               it is asked for explicitly)
     */
    public static Backend open(String name) {
        return switch (name) {
            case "reference" -> new ReferenceBackend();
            case "cpu" -> {
                DnnlLibrary.Status dnnl = DnnlLibrary.load();
                if (!dnnl.usable()) {
                    throw new IllegalStateException("cpu: not usable here: " + dnnl.unusableReason().orElseThrow());
                }
                yield CpuBackend.open();
            }
            case "vector" -> VectorBackend.open();
            case "cuda" -> {
                if (standInFolder() != null) {
                    throw new IllegalStateException("cuda: not measured while -D" + STAND_IN_PROPERTY
                            + " is set: the CUDA libraries found would be the CPU stand-in; measure cuda-standin instead");
                }
                CudaEnvironment environment = CudaEnvironment.probe();
                if (!environment.usable()) {
                    throw new IllegalStateException("cuda: not usable here: " + environment.unusableReason().orElse("unknown"));
                }
                yield CudaBackend.open(CudaOptions.defaults());
            }
            case CUDA_STAND_IN -> {
                String folder = standInFolder();
                if (folder == null) {
                    throw new IllegalStateException(CUDA_STAND_IN + ": needs -D" + STAND_IN_PROPERTY
                            + "=<folder of the stand-in libraries>; run native-scripts/bench.sh --cuda-standin");
                }
                if (!folder.equals(System.getProperty(SearchConfig.PATH_PROPERTY))) {
                    throw new IllegalStateException(CUDA_STAND_IN + ": -D" + SearchConfig.PATH_PROPERTY + " must name the stand-in folder "
                            + folder + " so that the CUDA backend loads the stand-in");
                }
                yield CudaBackend.open(CudaOptions.defaults());
            }
            default -> throw new IllegalArgumentException("unknown backend '" + name + "'; choose one of: "
                    + String.join(", ", ALL) + ", " + CUDA_STAND_IN);
        };
    }

    /** The stand-in libraries' folder when this process measures the stand-in, else null. */
    public static String standInFolder() {
        return System.getProperty(STAND_IN_PROPERTY);
    }

    /** The backends usable in this process; messages for the others go to {@code skipped}. */
    public static List<String> usable(List<String> skipped) {
        List<String> usable = new ArrayList<>();
        usable.add("reference");
        DnnlLibrary.Status dnnl = DnnlLibrary.load();
        if (dnnl.usable()) {
            usable.add("cpu");
        } else {
            skipped.add("cpu: not usable here: " + dnnl.unusableReason().orElseThrow());
        }
        // The forks add the incubator module (OpBenchmark's @Fork); here it is enough that this JDK has it.
        if (ModuleFinder.ofSystem().find("jdk.incubator.vector").isPresent()) {
            usable.add("vector");
        } else {
            skipped.add("vector: not usable here: this JDK has no jdk.incubator.vector module");
        }
        CudaEnvironment environment = CudaEnvironment.probe();
        if (environment.usable()) {
            usable.add("cuda");
        } else {
            skipped.add("cuda: not usable here: " + environment.unusableReason().orElse("unknown"));
        }
        return usable;
    }

    /** Blocks until the backend has finished all queued work (GPU ops are asynchronous); no-op on the CPU. */
    public static void synchronize(Backend backend) {
        if (backend instanceof CudaBackend cuda) {
            cuda.synchronize();
        }
    }

    /** A tensor of uniform values in [-1, 1) from a fixed seed, so every run measures the same data. */
    public static Tensor random(Backend backend, Shape shape, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[Math.toIntExact(shape.numel())];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return backend.fromArray(shape, values);
    }
}
