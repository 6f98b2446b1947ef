package dev.isthmus.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.TimeUnit;

/**
 * The floor for any FFM downcall on this machine: libc's {@code abs}, which does nothing but return,
 * called through a constant downcall handle, with and without the thread-state transition that a
 * normal (non-critical) downcall makes. Compare with {@link CudaRuntimeCallBenchmark} in the same run.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class NativeCallBenchmark {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final FunctionDescriptor INT_TO_INT = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
    private static final MethodHandle ABS = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("abs"), INT_TO_INT);
    private static final MethodHandle ABS_CRITICAL = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("abs"), INT_TO_INT,
            Linker.Option.critical(false));

    /** Not a constant, so the JIT cannot fold the calls away. */
    public int argument = -42;

    @Benchmark
    public int javaAbs() {
        return Math.abs(argument);
    }

    @Benchmark
    public int libcAbs() throws Throwable {
        return (int) ABS.invokeExact(argument);
    }

    @Benchmark
    public int libcAbsCritical() throws Throwable {
        return (int) ABS_CRITICAL.invokeExact(argument);
    }

    public static OpCost cost(String method, String workload) {
        return OpCost.NONE;
    }
}
