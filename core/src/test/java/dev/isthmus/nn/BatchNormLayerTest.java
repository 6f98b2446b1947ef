package dev.isthmus.nn;

import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;
import dev.isthmus.testing.TestTensors;
import dev.isthmus.train.ModelCheckpoint;
import dev.isthmus.train.Sgd;
import dev.isthmus.train.SgdSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The BatchNorm2d and GlobalAvgPool2d layers: PyTorch's state names and starts, train and eval semantics, checkpoints. */
class BatchNormLayerTest {
    private static final Shape INPUT = Shape.of(3, 2, 2, 2);
    private final ReferenceBackend backend = new ReferenceBackend();

    private Model model(BatchNorm2d norm) {
        Sequential net = new Sequential().add("bn", norm).add("pool", new GlobalAvgPool2d());
        return new Model("bn", backend, net, Shape.of(2, 2, 2));
    }

    @Test
    void stateDictHasPyTorchNamesOrderAndStartingValues() {
        try (Model model = model(new BatchNorm2d(backend, 2))) {
            model.initialize(1);
            assertEquals(List.of("bn.weight", "bn.bias", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked"),
                    List.copyOf(model.state().keySet()));
            assertArrayEquals(new float[] {1, 1}, model.state().get("bn.weight").value().toArray());
            assertArrayEquals(new float[] {0, 0}, model.state().get("bn.bias").value().toArray());
            assertArrayEquals(new float[] {0, 0}, model.state().get("bn.running_mean").value().toArray());
            assertArrayEquals(new float[] {1, 1}, model.state().get("bn.running_var").value().toArray());
            assertEquals(Shape.of(), model.state().get("bn.num_batches_tracked").shape());
            assertEquals(Shape.of(4, 2, 1, 1), model.outputShape(4));
        }
        try (Model plain = model(new BatchNorm2d(backend, 2, 1e-3, 0.2, false))) {
            assertEquals(List.of("bn.running_mean", "bn.running_var", "bn.num_batches_tracked"), List.copyOf(plain.state().keySet()));
        }
    }

    @Test
    void trainingNormalisesWithBatchStatisticsAndUpdatesRunningOnesEvalUsesThem() {
        float[] x = TestTensors.uniform(7, (int) INPUT.numel());
        try (Model model = model(new BatchNorm2d(backend, 2)); Tensor input = backend.fromArray(INPUT, x)) {
            model.initialize(1);
            model.state().get("bn.weight").load(new float[] {2, 0.5f});
            model.state().get("bn.bias").load(new float[] {1, -1});
            float[] trained;
            try (StepScope scope = new StepScope()) {
                trained = model.forward(input, scope).toArray();
            }
            float[] mean = new float[2], unbiased = new float[2], expected = new float[6];
            for (int c = 0; c < 2; c++) {
                double sum = 0, squares = 0;
                for (int n = 0; n < 3; n++) for (int i = 0; i < 4; i++) sum += x[(n * 2 + c) * 4 + i];
                double m = sum / 12;
                for (int n = 0; n < 3; n++) for (int i = 0; i < 4; i++) squares += Math.pow(x[(n * 2 + c) * 4 + i] - m, 2);
                mean[c] = (float) (0.1 * m);
                unbiased[c] = (float) (0.9 + 0.1 * squares / 11);
                for (int n = 0; n < 3; n++) {
                    double sample = 0;
                    for (int i = 0; i < 4; i++) sample += x[(n * 2 + c) * 4 + i];
                    double w = c == 0 ? 2 : 0.5, b = c == 0 ? 1 : -1;
                    expected[n * 2 + c] = (float) ((sample / 4 - m) / Math.sqrt(squares / 12 + 1e-5) * w + b);
                }
            }
            assertArrayEquals(expected, trained, 1e-5f);
            assertArrayEquals(mean, model.state().get("bn.running_mean").value().toArray(), 1e-6f);
            assertArrayEquals(unbiased, model.state().get("bn.running_var").value().toArray(), 1e-6f);
            assertArrayEquals(new float[] {1}, model.state().get("bn.num_batches_tracked").value().toArray());

            model.eval();
            float[] evaluated;
            try (StepScope scope = new StepScope()) {
                evaluated = model.forward(input, scope).toArray();
            }
            for (int n = 0; n < 3; n++) {
                for (int c = 0; c < 2; c++) {
                    double sum = 0;
                    for (int i = 0; i < 4; i++) sum += x[(n * 2 + c) * 4 + i];
                    double w = c == 0 ? 2 : 0.5, b = c == 0 ? 1 : -1;
                    expected[n * 2 + c] = (float) ((sum / 4 - mean[c]) / Math.sqrt(unbiased[c] + 1e-5) * w + b);
                }
            }
            assertArrayEquals(expected, evaluated, 1e-5f);
            assertArrayEquals(new float[] {1}, model.state().get("bn.num_batches_tracked").value().toArray(), "eval does not count");
        }
        assertEquals(0, backend.liveBytes());
    }

    @Test
    void backwardInEvalModeIsRefused() {
        BatchNorm2d norm = new BatchNorm2d(backend, 2);
        try (Model model = model(norm); Tensor input = TestTensors.uniform(backend, 3, INPUT); StepScope scope = new StepScope()) {
            model.eval();
            Tensor y = norm.forward(input, scope);
            assertThrows(IllegalStateException.class, () -> norm.backward(y, scope));
        }
    }

    @Test
    void checkpointsAndResumeCarryTheRunningStatistics(@TempDir Path temp) {
        Path file = temp.resolve("bn.safetensors");
        try (Model model = model(new BatchNorm2d(backend, 2)); Sgd sgd = new Sgd(SgdSettings.lesson())) {
            model.initialize(2);
            model.state().get("bn.running_mean").load(new float[] {3, 4});
            model.state().get("bn.running_var").load(new float[] {5, 6});
            model.state().get("bn.num_batches_tracked").load(new float[] {7});
            ModelCheckpoint.save(file, model, sgd, new ModelCheckpoint.Progress(1, 10, 2, 2));
        }
        try (Model model = model(new BatchNorm2d(backend, 2)); Sgd sgd = new Sgd(SgdSettings.lesson())) {
            model.initialize(9);
            ModelCheckpoint.resume(file, model, sgd);
            assertArrayEquals(new float[] {3, 4}, model.state().get("bn.running_mean").value().toArray());
            assertArrayEquals(new float[] {5, 6}, model.state().get("bn.running_var").value().toArray());
            assertArrayEquals(new float[] {7}, model.state().get("bn.num_batches_tracked").value().toArray());
        }
        assertEquals(0, backend.liveBytes());
    }
}
