package dev.isthmus.bench;

import dev.isthmus.backend.Backend;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * The fixed cost of one op on a backend, where the arithmetic is negligible: ReLU of a single
 * element (dispatch, checks, output allocation; on CUDA also a kernel launch and a synchronisation),
 * and allocating then freeing one op output (the CNN's first activation at batch 64, 1.4 MiB).
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class OpLatencyBenchmark extends OpBenchmark {
    private static final Shape ACTIVATION = Workloads.conv("cnn.conv1/b64").output();

    @Param({"reference", "cpu", "vector", "cuda"})
    public String backend;

    private Backend engine;
    private Tensor single;

    @Setup(Level.Trial)
    public void open() {
        engine = BenchBackends.open(backend);
        single = engine.fromArray(Shape.of(1), -1f);
    }

    @TearDown(Level.Trial)
    public void close() {
        closeAll(engine, single);
    }

    @Benchmark
    public void reluOfOneElement(Blackhole blackhole) {
        try (Tensor output = engine.relu(single)) {
            BenchBackends.synchronize(engine);
            blackhole.consume(output);
        }
    }

    @Benchmark
    public void zerosAndFree(Blackhole blackhole) {
        try (Tensor output = engine.zeros(ACTIVATION)) {
            BenchBackends.synchronize(engine);
            blackhole.consume(output);
        }
    }

    /** Allocating zeros writes every byte once. */
    public static OpCost cost(String method, String workload) {
        return method.equals("zerosAndFree") ? OpCost.bytes(ACTIVATION.bytes()) : OpCost.NONE;
    }
}
