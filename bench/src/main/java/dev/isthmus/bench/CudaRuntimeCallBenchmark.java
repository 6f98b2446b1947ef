package dev.isthmus.bench;

import dev.isthmus.backend.cuda.CudaCheck;
import dev.isthmus.backend.cuda.nativelib.CudaComponent;
import dev.isthmus.backend.cuda.nativelib.CudaLibraries;
import dev.isthmus.backend.cuda.nativelib.CudaQueries;
import dev.isthmus.bindings.cudart.CudaRuntime;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.TimeUnit;

/**
 * The cost of one call through our CUDA bindings, with a function that needs no GPU:
 * {@code cudaRuntimeGetVersion(int*)}. Compares the downcall handle itself, jextract's generated
 * wrapper around it, the same wrapped in {@link CudaCheck#cuda} (what every op does), and
 * {@link CudaQueries#runtimeVersion()}, which opens an arena per call (the pattern hot paths avoid).
 * Run with {@code -prof gc}: the first three must allocate 0 B/op. Needs libcudart (no GPU);
 * the runner leaves this class out when it cannot be loaded.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class CudaRuntimeCallBenchmark {
    private Arena arena;
    /** The out-parameter, allocated once as the backend's NativeScratch does. */
    private MemorySegment version;

    /** Resolved only after setup has loaded libcudart: a binding touched earlier fails for good. */
    private static final class Handle {
        static final MethodHandle RUNTIME_GET_VERSION = CudaRuntime.cudaRuntimeGetVersion$handle();
    }

    @Setup(Level.Trial)
    public void load() {
        if (!CudaLibraries.isLoaded(CudaComponent.RUNTIME)) {
            CudaLibraries.loadAll();
        }
        if (!CudaLibraries.isLoaded(CudaComponent.RUNTIME)) {
            throw new IllegalStateException("cuda runtime: not loadable here: "
                    + CudaLibraries.loadAll().of(CudaComponent.RUNTIME));
        }
        arena = Arena.ofConfined();
        version = arena.allocate(ValueLayout.JAVA_INT);
    }

    @TearDown(Level.Trial)
    public void close() {
        if (arena != null) arena.close();
    }

    @Benchmark
    public int downcallHandle() throws Throwable {
        return (int) Handle.RUNTIME_GET_VERSION.invokeExact(version);
    }

    @Benchmark
    public int generatedBinding() {
        return CudaRuntime.cudaRuntimeGetVersion(version);
    }

    @Benchmark
    public int checkedBinding() {
        int status = CudaRuntime.cudaRuntimeGetVersion(version);
        CudaCheck.cuda(status, "cudaRuntimeGetVersion");
        return status;
    }

    @Benchmark
    public int queryWithArenaPerCall() {
        return CudaQueries.runtimeVersion();
    }

    public static OpCost cost(String method, String workload) {
        return OpCost.NONE;
    }
}
