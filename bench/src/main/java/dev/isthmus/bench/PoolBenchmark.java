package dev.isthmus.bench;

import dev.isthmus.backend.Backend;
import dev.isthmus.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Max pooling forward and backward (2×2, stride 2) at the CNN's two pooling shapes and one larger
 * shape. Pooling is memory-bound: the report gives GB/s of the least traffic ({@link PoolShape}).
 */
public class PoolBenchmark extends OpBenchmark {

    @Param({"reference", "cpu", "vector", "cuda"})
    public String backend;

    @Param({"cnn.pool1/b64", "cnn.pool1/b256", "cnn.pool2/b64", "cnn.pool2/b256", "large.pool64/b32"})
    public String workload;

    private Backend engine;
    private PoolShape shape;
    private Tensor input;
    private Tensor output;
    private Tensor gradOutput;

    @Setup(Level.Trial)
    public void open() {
        engine = BenchBackends.open(backend);
        shape = Workloads.pool(workload);
        input = BenchBackends.random(engine, shape.input(), 1);
        output = engine.maxPool2d(input, shape.spec());
        gradOutput = BenchBackends.random(engine, shape.output(), 2);
    }

    @TearDown(Level.Trial)
    public void close() {
        closeAll(engine, input, output, gradOutput);
    }

    @Benchmark
    public void maxForward(Blackhole blackhole) {
        try (Tensor pooled = engine.maxPool2d(input, shape.spec())) {
            BenchBackends.synchronize(engine);
            blackhole.consume(pooled);
        }
    }

    @Benchmark
    public void maxBackward(Blackhole blackhole) {
        try (Tensor gradInput = engine.maxPool2dBackward(input, output, gradOutput, shape.spec())) {
            BenchBackends.synchronize(engine);
            blackhole.consume(gradInput);
        }
    }

    public static OpCost cost(String method, String workload) {
        PoolShape shape = Workloads.pool(workload);
        return OpCost.bytes(method.equals("maxBackward") ? shape.backwardBytes() : shape.forwardBytes());
    }
}
