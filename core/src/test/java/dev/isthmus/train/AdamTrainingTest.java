package dev.isthmus.train;

import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.data.Batches;
import dev.isthmus.data.Split;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Models;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Adam and AdamW in the training loop: learning, a schedule and clipping, checkpoints and a bit-exact resume. */
class AdamTrainingTest {
    private static final Split TRAIN = SyntheticDigits.split("train", 512, 1);
    private static final Split TEST = SyntheticDigits.split("test", 200, 2);
    private static final int EPOCHS = 2;
    private final ReferenceBackend backend = new ReferenceBackend();

    @AfterEach
    void close() {
        backend.close();
    }

    /** AdamW with PyTorch's defaults, cosine-annealed over {@link #EPOCHS} and clipped at norm 1. */
    private static Adam adamW() {
        return new Adam(AdamSettings.adamW(2e-3), 1.0);
    }

    private static final LearningRateSchedule SCHEDULE =
            new LearningRateSchedule(LearningRateSchedule.Kind.COSINE, 2e-3f, EPOCHS, 0, 1);

    private static EpochMetrics epoch(Trainer trainer, Optimizer optimizer, Batches batches, int epoch) {
        optimizer.setLearningRate(SCHEDULE.at(epoch));
        return trainer.epoch(epoch, batches.epoch(epoch - 1), batches.batchCount(), Batches.inOrder(TEST, 100).epoch(0), 10);
    }

    private static float[][] parameters(Model model) {
        return model.stateDict().values().stream().map(p -> p.value().toArray()).toArray(float[][]::new);
    }

    @Test
    void adamWLearnsAndResumingContinuesBitForBit(@TempDir Path folder) {
        Batches batches = Batches.shuffled(TRAIN, 32, 4);
        float[][] straight;
        List<EpochMetrics> metrics = new ArrayList<>();
        try (Model model = Models.CNN.create(backend, 4); Adam adam = adamW()) {
            Trainer trainer = new Trainer(model, adam, new Trainer.Listener() { });
            for (int e = 1; e <= EPOCHS; e++) metrics.add(epoch(trainer, adam, batches, e));
            straight = parameters(model);
        }
        assertTrue(metrics.getLast().testAccuracy() > 0.5, "accuracy " + metrics.getLast().testAccuracy() + " (chance is 0.1)");
        assertTrue(metrics.getLast().learningRate() < metrics.getFirst().learningRate(), "the cosine schedule lowered the rate");

        Path checkpoint = folder.resolve(ModelCheckpoint.MODEL_FILE);
        try (Model model = Models.CNN.create(backend, 4); Adam adam = adamW()) {
            Trainer trainer = new Trainer(model, adam, new Trainer.Listener() { });
            epoch(trainer, adam, batches, 1);
            ModelCheckpoint.save(checkpoint, model, adam, new ModelCheckpoint.Progress(1, trainer.globalStep(), 4, 32));
        }
        try (Model model = Models.CNN.create(backend); Adam adam = adamW()) {
            ModelCheckpoint.Restored restored = ModelCheckpoint.resume(checkpoint, model, adam);
            assertTrue(restored.optimizerStateRestored());
            assertEquals(batches.batchCount(), adam.state().get("step.conv1.weight")[0], "the step count came back");
            Trainer trainer = new Trainer(model, adam, new Trainer.Listener() { });
            trainer.setGlobalStep(restored.step());
            epoch(trainer, adam, batches, 2);
            float[][] resumed = parameters(model);
            for (int i = 0; i < resumed.length; i++) assertArrayEquals(straight[i], resumed[i]);
        }
    }

    @Test
    void aCheckpointResumesOnlyWithTheOptimizerItWasTrainedWith(@TempDir Path folder) {
        Path checkpoint = folder.resolve(ModelCheckpoint.MODEL_FILE);
        Batch batch = Batches.inOrder(TRAIN, 16).epoch(0).iterator().next();
        try (Model model = Models.CNN.create(backend, 1); Sgd sgd = new Sgd(SgdSettings.lesson())) {
            TrainingStep.run(model, sgd, batch, 0);
            ModelCheckpoint.save(checkpoint, model, sgd, new ModelCheckpoint.Progress(1, 1, 1, 16));
        }
        try (Model model = Models.CNN.create(backend); Adam adam = new Adam(AdamSettings.adam(1e-3), 0)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelCheckpoint.resume(checkpoint, model, adam));
            assertTrue(e.getMessage().contains("trained with --optimizer sgd, not adam; resume with --optimizer sgd"), e.getMessage());
        }
    }

    @Test
    void stateOfAnotherOptimizerOrABadStepCountIsRefused() {
        try (Model model = Models.CNN.create(backend, 1); Adam adam = new Adam(AdamSettings.adam(1e-3), 0)) {
            float[] zeros = new float[(int) model.stateDict().get("fc.bias").shape().numel()];
            IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
                    () -> adam.load(model, Map.of("momentum.fc.bias", zeros)));
            assertTrue(other.getMessage().contains("'momentum.fc.bias' is not adam's"), other.getMessage());
            IllegalArgumentException step = assertThrows(IllegalArgumentException.class,
                    () -> adam.load(model, Map.of("step.fc.bias", new float[] {2.5f})));
            assertTrue(step.getMessage().contains("expected one whole step count of at least 1"), step.getMessage());
        }
    }

    @Test
    void settingsOutsidePyTorchsRangesAreRefusedNamingTheValue() {
        IllegalArgumentException beta = assertThrows(IllegalArgumentException.class,
                () -> new AdamSettings(1e-3, 1.0, 0.999, 1e-8, 0, false));
        assertEquals("Adam: beta1 1.0 is invalid; pass a value in [0, 1)", beta.getMessage());
        IllegalArgumentException eps = assertThrows(IllegalArgumentException.class,
                () -> new AdamSettings(1e-3, 0.9, 0.999, 0, 0, true));
        assertEquals("AdamW: eps 0.0 is invalid; pass a finite value > 0", eps.getMessage());
        assertEquals(0.01, AdamSettings.adamW(1e-3).weightDecay(), "PyTorch's AdamW default");
        assertEquals(0.0, AdamSettings.adam(1e-3).weightDecay(), "PyTorch's Adam default");
    }
}
