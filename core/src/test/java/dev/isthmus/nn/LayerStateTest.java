package dev.isthmus.nn;

import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;
import dev.isthmus.train.Batch;
import dev.isthmus.train.Evaluation;
import dev.isthmus.train.ModelCheckpoint;
import dev.isthmus.train.Sgd;
import dev.isthmus.train.SgdSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Layers with state: buffers in the state dict and checkpoints, train/eval mode reaching nested layers, per-parameter initialisation. */
class LayerStateTest {

    /**
     * A stand-in for BatchNorm's bookkeeping: a "weight" parameter that starts at 1, a "running_mean"
     * buffer that starts at 0 and counts forward passes in training mode only. Passes its input through.
     */
    static final class Counting implements Layer {
        final Parameter weight;
        final Buffer runningMean;
        boolean training = true;

        Counting(ReferenceBackend backend) {
            weight = new Parameter(backend.zeros(Shape.of(2)), 1, Initializer.constant(1));
            runningMean = new Buffer(backend.zeros(Shape.of(2)), Initializer.constant(0));
        }

        @Override
        public Tensor forward(Tensor input, StepScope scope) {
            if (training) {
                float[] count = runningMean.value().toArray();
                for (int i = 0; i < count.length; i++) count[i]++;
                runningMean.load(count);
            }
            return input;
        }

        @Override
        public Tensor backward(Tensor gradOutput, StepScope scope) {
            return gradOutput;
        }

        @Override
        public Shape outputShape(Shape input) {
            return input;
        }

        @Override
        public Map<String, Parameter> parameters() {
            return Map.of("weight", weight);
        }

        @Override
        public Map<String, Buffer> buffers() {
            return Map.of("running_mean", runningMean);
        }

        @Override
        public void setTraining(boolean mode) {
            training = mode;
            Layer.super.setTraining(mode);
        }
    }

    private final ReferenceBackend backend = new ReferenceBackend();

    private Model withState(Counting counting) {
        Sequential net = new Sequential()
                .add("norm", new Residual(new Sequential().add("stat", counting)))
                .add("conv", new Conv2d(backend, 1, 2, 3, 0))
                .add("flatten", new Flatten());
        return new Model("stateful", backend, net, Shape.of(1, 4, 4));
    }

    @Test
    void buffersAreInTheStateDictUnderPyTorchNamesAndStartAsTheirLayerSays() {
        try (Model model = withState(new Counting(backend));
             Model plain = new Model("plain", backend, new Sequential().add("conv", new Conv2d(backend, 1, 2, 3, 0)).add("flatten", new Flatten()),
                     Shape.of(1, 4, 4))) {
            assertEquals(List.of("norm.stat.weight", "norm.stat.running_mean", "conv.weight", "conv.bias"), List.copyOf(model.state().keySet()));
            assertEquals(List.of("norm.stat.running_mean"), List.copyOf(model.buffers().keySet()));
            assertFalse(model.stateDict().containsKey("norm.stat.running_mean"), "buffers are not trainable parameters");
            model.initialize(5);
            plain.initialize(5);
            assertArrayEquals(new float[] {1, 1}, model.state().get("norm.stat.weight").value().toArray());
            assertArrayEquals(new float[] {0, 0}, model.state().get("norm.stat.running_mean").value().toArray());
            assertArrayEquals(plain.stateDict().get("conv.weight").value().toArray(), model.stateDict().get("conv.weight").value().toArray(),
                    "constant initialisers draw nothing, so the conv starts as it would without the stateful layer");
        }
    }

    @Test
    void trainAndEvalReachNestedLayersAndEvaluationRestoresTheMode() {
        Counting counting = new Counting(backend);
        try (Model model = withState(counting)) {
            model.initialize(1);
            assertTrue(model.isTraining());
            model.eval();
            assertFalse(counting.training, "eval reaches a layer inside a residual block");
            model.train();
            assertTrue(counting.training);
            Batch batch = new Batch(Shape.of(2, 1, 4, 4), new float[2 * 16], new int[] {0, 1});
            Evaluation.run(model, List.of(batch), 8);
            assertTrue(model.isTraining() && counting.training, "evaluation puts the model back in training mode");
            assertArrayEquals(new float[] {0, 0}, counting.runningMean.value().toArray(), "evaluation ran in eval mode: no update");
        }
    }

    @Test
    void checkpointsAndResumeCarryBuffers(@TempDir Path temp) {
        Path file = temp.resolve("model.safetensors");
        Counting saved = new Counting(backend);
        try (Model model = withState(saved); Sgd sgd = new Sgd(SgdSettings.lesson())) {
            model.initialize(2);
            saved.runningMean.load(new float[] {3, 4});
            ModelCheckpoint.save(file, model, sgd, new ModelCheckpoint.Progress(1, 10, 2, 2));
        }
        Counting restored = new Counting(backend);
        try (Model model = withState(restored); Sgd sgd = new Sgd(SgdSettings.lesson())) {
            model.initialize(9);
            ModelCheckpoint.resume(file, model, sgd);
            assertArrayEquals(new float[] {3, 4}, restored.runningMean.value().toArray());
        }
        Counting loaded = new Counting(backend);
        try (Model model = withState(loaded)) {
            ModelCheckpoint.loadWeights(file, model);
            assertArrayEquals(new float[] {3, 4}, loaded.runningMean.value().toArray());
        }
        assertEquals(0, backend.liveBytes());
    }
}
