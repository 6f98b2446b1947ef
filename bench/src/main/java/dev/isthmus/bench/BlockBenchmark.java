package dev.isthmus.bench;

import dev.isthmus.backend.Backend;
import dev.isthmus.nn.Layer;
import dev.isthmus.nn.Models;
import dev.isthmus.nn.Parameter;
import dev.isthmus.nn.StepScope;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

import java.util.ArrayList;
import java.util.List;

/**
 * Forward plus backward of one Inception or residual block, as built by {@link Models}, at the
 * input it gets inside its model: many small convolutions plus concatenation, splitting, pooling and
 * additions, so per-op overhead weighs more than in a single large convolution.
 */
public class BlockBenchmark extends OpBenchmark {

    @Param({"reference", "cpu", "vector", "cuda"})
    public String backend;

    @Param({"inception.incep1/b64", "inception.incep2/b64", "resnet.rblock1/b64"})
    public String workload;

    private Backend engine;
    private Layer block;
    private Tensor input;
    private Tensor gradOutput;

    @Setup(Level.Trial)
    public void open() {
        engine = BenchBackends.open(backend);
        Workload w = Workload.parse(workload);
        Workloads.Layers layers = Workloads.block(w.name());
        ConvShape first = layers.convs().getFirst().withBatch(w.batch());
        block = switch (w.name()) {
            case "inception.incep1", "inception.incep2" -> Models.inceptionBlock(engine, first.c());
            default -> Models.residualBlock(engine, first.c());
        };
        long seed = 10;
        for (Parameter parameter : parameters(block)) {
            try (Tensor values = BenchBackends.random(engine, parameter.shape(), seed++)) {
                parameter.load(values.toArray());
            }
        }
        input = BenchBackends.random(engine, first.input(), 1);
        Shape outputShape = block.outputShape(first.input());
        gradOutput = BenchBackends.random(engine, outputShape, 2);
    }

    private static List<Parameter> parameters(Layer layer) {
        List<Parameter> all = new ArrayList<>(layer.parameters().values());
        for (Layer child : layer.children().values()) {
            all.addAll(parameters(child));
        }
        return all;
    }

    @TearDown(Level.Trial)
    public void close() {
        List<AutoCloseable> resources = new ArrayList<>(block == null ? List.of() : parameters(block));
        resources.add(input);
        resources.add(gradOutput);
        closeAll(engine, resources.toArray(AutoCloseable[]::new));
    }

    @Benchmark
    public void forwardBackward(Blackhole blackhole) {
        try (StepScope scope = new StepScope()) {
            blackhole.consume(block.forward(input, scope));
            Tensor gradInput = block.backward(gradOutput, scope);
            BenchBackends.synchronize(engine);
            blackhole.consume(gradInput);
        }
    }

    /** Forward and both gradients of every convolution; pooling, concatenation and additions not counted. */
    public static OpCost cost(String method, String workload) {
        Workload w = Workload.parse(workload);
        return OpCost.flops(Workloads.block(w.name()).trainingFlops(w.batch()));
    }
}
