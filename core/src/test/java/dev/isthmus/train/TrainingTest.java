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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingTest {
    private static final Split TRAIN = SyntheticDigits.split("train", 1024, 1);
    private static final Split TEST = SyntheticDigits.split("test", 300, 2);
    private final ReferenceBackend backend = new ReferenceBackend();

    @AfterEach
    void close() {
        backend.close();
    }

    private record Run(List<EpochMetrics> metrics, List<Float> losses, float[][] parameters) {
    }

    private Run train(Models architecture, long seed, int epochs) {
        try (Model model = architecture.create(backend, seed); Sgd sgd = new Sgd(SgdSettings.lesson())) {
            List<Float> losses = new ArrayList<>();
            Trainer trainer = new Trainer(model, sgd, new Trainer.Listener() {
                @Override
                public void stepFinished(int epoch, long step, float loss, int batchSize) {
                    losses.add(loss);
                }
            });
            Batches batches = Batches.shuffled(TRAIN, 32, seed);
            List<EpochMetrics> metrics = new ArrayList<>();
            for (int e = 1; e <= epochs; e++) {
                metrics.add(trainer.epoch(e, batches.epoch(e - 1), batches.batchCount(), Batches.inOrder(TEST, 100).epoch(0), 10));
            }
            float[][] parameters = model.stateDict().values().stream().map(p -> p.value().toArray()).toArray(float[][]::new);
            return new Run(metrics, losses, parameters);
        }
    }

    @Test
    void theLessonsCnnLearnsWellAboveChance() {
        Run run = train(Models.CNN, 3, 2);
        double accuracy = run.metrics().getLast().testAccuracy();
        assertTrue(accuracy > 0.9, "accuracy " + accuracy + " (chance is 0.1)");
        assertTrue(run.losses().getLast() < run.losses().getFirst() / 3, "loss did not fall: " + run.losses());
    }

    @Test
    void oneSeedGivesBitIdenticalRuns() {
        Run a = train(Models.CNN, 5, 1);
        Run b = train(Models.CNN, 5, 1);
        assertEquals(a.losses(), b.losses());
        for (int i = 0; i < a.parameters().length; i++) assertArrayEquals(a.parameters()[i], b.parameters()[i]);
    }

    @Test
    void inceptionAndResidualNetsTrainOnTheSameLoop() {
        for (Models architecture : List.of(Models.INCEPTION, Models.RESNET)) {
            try (Model model = architecture.create(backend, 1); Sgd sgd = new Sgd(SgdSettings.lesson())) {
                Trainer trainer = new Trainer(model, sgd, new Trainer.Listener() { });
                Batches batches = Batches.shuffled(TRAIN.first(256), 32, 1);
                EpochMetrics metrics = trainer.epoch(1, batches.epoch(0), batches.batchCount(), Batches.inOrder(TEST, 100).epoch(0), 10);
                assertTrue(Double.isFinite(metrics.trainLoss()), architecture + " loss " + metrics.trainLoss());
                assertTrue(metrics.trainLoss() < Math.log(10) + 0.5, architecture + " loss " + metrics.trainLoss());
            }
        }
    }

    @Test
    void resumingFromACheckpointContinuesExactlyLikeAnUninterruptedRun(@TempDir Path folder) {
        Run straight = train(Models.CNN, 9, 2);

        Path checkpoint = folder.resolve(ModelCheckpoint.MODEL_FILE);
        Batches batches = Batches.shuffled(TRAIN, 32, 9);
        try (Model model = Models.CNN.create(backend, 9); Sgd sgd = new Sgd(SgdSettings.lesson())) {
            Trainer trainer = new Trainer(model, sgd, new Trainer.Listener() { });
            trainer.epoch(1, batches.epoch(0), batches.batchCount(), Batches.inOrder(TEST, 100).epoch(0), 10);
            ModelCheckpoint.save(checkpoint, model, sgd, new ModelCheckpoint.Progress(1, trainer.globalStep(), 9, 32));
        }
        try (Model model = Models.CNN.create(backend); Sgd sgd = new Sgd(SgdSettings.lesson())) {
            ModelCheckpoint.Restored restored = ModelCheckpoint.resume(checkpoint, model, sgd);
            assertEquals(1, restored.epochsDone());
            assertTrue(restored.optimizerStateRestored());
            Trainer trainer = new Trainer(model, sgd, new Trainer.Listener() { });
            trainer.setGlobalStep(restored.step());
            assertNotNull(trainer.epoch(2, batches.epoch(1), batches.batchCount(), Batches.inOrder(TEST, 100).epoch(0), 10));
            float[][] resumed = model.stateDict().values().stream().map(p -> p.value().toArray()).toArray(float[][]::new);
            for (int i = 0; i < resumed.length; i++) assertArrayEquals(straight.parameters()[i], resumed[i]);
        }
    }

    @Test
    void nanInTheWeightsStopsTrainingNamingTheParameter() {
        try (Model model = Models.CNN.create(backend, 1); Sgd sgd = new Sgd(SgdSettings.lesson())) {
            float[] poisoned = model.stateDict().get("conv2.weight").value().toArray();
            poisoned[17] = Float.NaN;
            model.stateDict().get("conv2.weight").load(poisoned);
            Batch batch = Batches.inOrder(TRAIN, 8).epoch(0).iterator().next();
            DivergedException e = org.junit.jupiter.api.Assertions.assertThrows(DivergedException.class,
                    () -> TrainingStep.run(model, sgd, batch, 41));
            assertTrue(e.getMessage().contains("step 41"), e.getMessage());
            assertTrue(e.getMessage().contains("parameter conv2.weight"), e.getMessage());
            assertEquals(5, e.exitCode());
        }
    }

    @Test
    void memoryReturnsToBaselineAfterTraining() {
        long baseline = backend.liveBytes();
        train(Models.CNN, 1, 1);
        assertEquals(baseline, backend.liveBytes());
    }
}
