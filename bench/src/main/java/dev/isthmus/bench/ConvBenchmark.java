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
 * {@code conv2d} forward, backward-data and backward-filter at the lesson's layer shapes and one
 * larger shape. Each costs 2·N·K·C·R·S·P·Q floating-point operations ({@link ConvShape#flops()}).
 */
public class ConvBenchmark extends OpBenchmark {

    @Param({"reference", "cpu", "vector", "cuda"})
    public String backend;

    @Param({"cnn.conv1/b64", "cnn.conv1/b256", "cnn.conv2/b64", "cnn.conv2/b256",
            "inception.incep1.branch1x1/b64", "inception.incep1.branch5x5_2/b64", "inception.incep1.branch3x3_2/b64",
            "inception.incep1.branch3x3_3/b64", "inception.conv2/b64", "resnet.conv1/b64", "resnet.rblock1.conv1/b64", "resnet.conv2/b64", "resnet.rblock2.conv1/b64",
            "large.conv64_3x3/b32"})
    public String workload;

    private Backend engine;
    private ConvShape shape;
    private Tensor input;
    private Tensor weight;
    private Tensor bias;
    private Tensor gradOutput;

    @Setup(Level.Trial)
    public void open() {
        engine = BenchBackends.open(backend);
        shape = Workloads.conv(workload);
        input = BenchBackends.random(engine, shape.input(), 1);
        weight = BenchBackends.random(engine, shape.weight(), 2);
        bias = BenchBackends.random(engine, Shape.of(shape.k()), 3);
        gradOutput = BenchBackends.random(engine, shape.output(), 4);
    }

    @TearDown(Level.Trial)
    public void close() {
        closeAll(engine, input, weight, bias, gradOutput);
    }

    @Benchmark
    public void forward(Blackhole blackhole) {
        try (Tensor output = engine.conv2d(input, weight, bias, shape.spec())) {
            BenchBackends.synchronize(engine);
            blackhole.consume(output);
        }
    }

    @Benchmark
    public void backwardData(Blackhole blackhole) {
        try (Tensor gradInput = engine.conv2dBackwardInput(gradOutput, weight, shape.input(), shape.spec())) {
            BenchBackends.synchronize(engine);
            blackhole.consume(gradInput);
        }
    }

    @Benchmark
    public void backwardFilter(Blackhole blackhole) {
        try (Tensor gradWeight = engine.conv2dBackwardWeight(input, gradOutput, shape.weight(), shape.spec())) {
            BenchBackends.synchronize(engine);
            blackhole.consume(gradWeight);
        }
    }

    /** Each of the three passes does the same number of multiply-adds. */
    public static OpCost cost(String method, String workload) {
        return OpCost.flops(Workloads.conv(workload).flops());
    }
}
