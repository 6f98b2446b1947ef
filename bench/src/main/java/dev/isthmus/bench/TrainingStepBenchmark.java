package dev.isthmus.bench;

import dev.isthmus.backend.Backend;
import dev.isthmus.data.SyntheticBatches;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Models;
import dev.isthmus.tensor.Shape;
import dev.isthmus.train.Batch;
import dev.isthmus.train.Sgd;
import dev.isthmus.train.SgdSettings;
import dev.isthmus.train.TrainingStep;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.util.ArrayList;
import java.util.List;

/**
 * One whole training step of each of the lesson's models, as {@code isthmus train} runs it:
 * upload the batch, forward, cross-entropy, backward, SGD with momentum ({@link TrainingStep#run}).
 * The data are synthetic (a few fixed random batches, cycled), so no download is needed.
 */
public class TrainingStepBenchmark extends OpBenchmark {
    private static final int DISTINCT_BATCHES = 4;

    @Param({"reference", "cpu", "vector", "cuda"})
    public String backend;

    @Param({"cnn/b64", "cnn/b256", "inception/b64", "inception/b256", "resnet/b64", "resnet/b256"})
    public String workload;

    private Backend engine;
    private Model model;
    private Sgd optimizer;
    private List<Batch> batches;
    private long step;

    @Setup(Level.Trial)
    public void open() {
        Workload w = Workload.parse(workload);
        engine = BenchBackends.open(backend);
        model = Models.byId(w.name()).create(engine, 42);
        optimizer = new Sgd(SgdSettings.lesson());
        batches = syntheticBatches(model.sampleShape(), w.batch(), DISTINCT_BATCHES, 7);
    }

    @TearDown(Level.Trial)
    public void close() {
        closeAll(engine, optimizer, model);
    }

    @Benchmark
    public float step() {
        float loss = TrainingStep.run(model, optimizer, batches.get((int) (step % batches.size())), step);
        step++;
        // The loss read waited for the forward pass; the SGD update after it may still be queued.
        BenchBackends.synchronize(engine);
        return loss;
    }

    /** Standard-normal images and uniform labels over 10 classes, from a seed. */
    static List<Batch> syntheticBatches(Shape sample, int batchSize, int count, long seed) {
        List<Batch> batches = new ArrayList<>(count);
        new SyntheticBatches(seed, count, batchSize, sample, 10).forEach(batches::add);
        return batches;
    }

    /** Forward and both gradients of every convolution and linear layer, but no gradient for the images. */
    public static OpCost cost(String method, String workload) {
        Workload w = Workload.parse(workload);
        return OpCost.flops(Workloads.model(w.name()).stepFlops(w.batch()));
    }
}
