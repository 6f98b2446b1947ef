package dev.isthmus.bench;

import dev.isthmus.backend.Backend;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@code linear} forward and its two backward products at the lesson's classifier shapes (narrow:
 * 10 outputs) and one square 1024×1024 layer where matrix-product throughput shows.
 */
public class LinearBenchmark extends OpBenchmark {

    @Param({"reference", "cpu", "vector", "cuda"})
    public String backend;

    @Param({"cnn.fc/b64", "cnn.fc/b256", "inception.fc/b64", "large.fc1024/b256"})
    public String workload;

    private Backend engine;
    private LinearShape shape;
    private Tensor input;
    private Tensor weight;
    private Tensor bias;
    private Tensor gradOutput;

    @Setup(Level.Trial)
    public void open() {
        engine = BenchBackends.open(backend);
        shape = Workloads.linear(workload);
        input = BenchBackends.random(engine, shape.input(), 1);
        weight = BenchBackends.random(engine, shape.weight(), 2);
        bias = BenchBackends.random(engine, Shape.of(shape.out()), 3);
        gradOutput = BenchBackends.random(engine, shape.output(), 4);
    }

    @TearDown(Level.Trial)
    public void close() {
        closeAll(engine, input, weight, bias, gradOutput);
    }

    @Benchmark
    public void forward(Blackhole blackhole) {
        try (Tensor output = engine.linear(input, weight, bias)) {
            BenchBackends.synchronize(engine);
            blackhole.consume(output);
        }
    }

    @Benchmark
    public void backwardInput(Blackhole blackhole) {
        try (Tensor gradInput = engine.linearBackwardInput(gradOutput, weight)) {
            BenchBackends.synchronize(engine);
            blackhole.consume(gradInput);
        }
    }

    @Benchmark
    public void backwardWeight(Blackhole blackhole) {
        try (Tensor gradWeight = engine.linearBackwardWeight(input, gradOutput)) {
            BenchBackends.synchronize(engine);
            blackhole.consume(gradWeight);
        }
    }

    public static OpCost cost(String method, String workload) {
        return OpCost.flops(Workloads.linear(workload).flops());
    }
}
