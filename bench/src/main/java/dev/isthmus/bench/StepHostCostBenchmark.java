package dev.isthmus.bench;

import dev.isthmus.backend.Backend;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Models;
import dev.isthmus.train.Batch;
import dev.isthmus.train.GraphedSteps;
import dev.isthmus.train.Sgd;
import dev.isthmus.train.SgdSettings;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The host's share of one training step (Java, descriptors, downcalls, the stand-in's argument checks),
 * with CUDA graphs off (every op queued one by one) and on (two uploads and one graph launch), measured
 * on the CPU stand-in with its work switched off ({@code isthmusStandinSkipWork}): nothing is computed,
 * so the time is what the host spends, which on a GPU overlaps with the device's work or, for tiny
 * networks, limits it. Never a GPU figure. Needs {@code bench.sh --cuda-standin}.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class StepHostCostBenchmark extends OpBenchmark {
    private static final int BATCH = 64;

    @Param({"cnn", "inception", "resnet"})
    public String model;

    @Param({"off", "on"})
    public String graphs;

    private Backend engine;
    private Model net;
    private Sgd optimizer;
    private GraphedSteps steps;
    private List<Batch> batches;
    private MethodHandle skipWork;
    private long step;

    @Setup(Level.Trial)
    public void open() throws Throwable {
        String folder = BenchBackends.standInFolder();
        if (folder == null) {
            throw new IllegalStateException("StepHostCostBenchmark runs on the CPU stand-in only: run native-scripts/bench.sh --cuda-standin");
        }
        engine = BenchBackends.open(BenchBackends.CUDA_STAND_IN);
        net = Models.byId(model).create(engine, 42);
        optimizer = new Sgd(SgdSettings.lesson());
        steps = new GraphedSteps(net, optimizer, 10, graphs.equals("on"), GraphedSteps.DEFAULT_READ_EVERY);
        batches = TrainingStepBenchmark.syntheticBatches(net.sampleShape(), BATCH, 4, 7);
        // Real work while warming up: algorithm choices, workspaces, the pool and (graphs on) the capture.
        for (int i = 0; i < 4; i++) steps.step(batches.get(i));
        steps.read();
        SymbolLookup runtime = SymbolLookup.libraryLookup(Path.of(folder, "libcudart.so.13"), Arena.global());
        Linker linker = Linker.nativeLinker();
        skipWork = linker.downcallHandle(runtime.findOrThrow("isthmusStandinSkipWork"), FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        MethodHandle workItems = linker.downcallHandle(runtime.findOrThrow("isthmusStandinWorkItems"), FunctionDescriptor.of(ValueLayout.JAVA_LONG));
        int ignored = (int) skipWork.invokeExact(1);
        long before = (long) workItems.invokeExact();
        steps.step(batches.get(0));
        long after = (long) workItems.invokeExact();
        System.err.printf("%s, graphs %s: %d pieces of device work queued per step%n", model, graphs, after - before);
    }

    @TearDown(Level.Trial)
    public void close() throws Throwable {
        if (skipWork != null) {
            int ignored = (int) skipWork.invokeExact(0);
        }
        closeAll(engine, steps, optimizer, net);
    }

    @Benchmark
    public float[] step() {
        return steps.step(batches.get((int) (step++ % batches.size())));
    }
}
