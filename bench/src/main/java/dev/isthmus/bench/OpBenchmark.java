package dev.isthmus.bench;

import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Settings shared by the op and training-step benchmarks: average time per op in milliseconds, one
 * state per benchmark thread (the CUDA backend belongs to the thread that opened it), native access
 * for the FFM downcalls, and the Vector API incubator module for the {@code vector} backend (each fork prints
 * the JVM's "Using incubator modules" warning). {@code native-scripts/bench.sh --quick} shortens warm-up and measurement.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx6g", "--add-modules=jdk.incubator.vector"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public abstract class OpBenchmark {

    /** Closes what setup opened, in reverse order, skipping what was never opened. */
    static void closeAll(AutoCloseable backend, AutoCloseable... resources) {
        for (int i = resources.length - 1; i >= 0; i--) {
            closeOne(resources[i]);
        }
        closeOne(backend);
    }

    private static void closeOne(AutoCloseable resource) {
        if (resource == null) return;
        try {
            resource.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing " + resource + " failed: " + e.getMessage(), e);
        }
    }
}
