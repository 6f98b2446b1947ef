package dev.isthmus.nn;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;
import dev.isthmus.testing.TestTensors;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Dropout: training-only, scaled by 1/(1 − p), masks reproducible from seed and step. */
class DropoutTest {
    private static final Shape SHAPE = Shape.of(4, 3, 10, 10);

    /** One training forward and backward on {@code backend}; returns output then input gradient. */
    static float[][] step(Backend backend, Dropout dropout, float[] x, float[] dy) {
        try (Tensor input = backend.fromArray(SHAPE, x); Tensor grad = backend.fromArray(SHAPE, dy); StepScope scope = new StepScope()) {
            return new float[][] {dropout.forward(input, scope).toArray(), dropout.backward(grad, scope).toArray()};
        }
    }

    @Test
    void trainingDropsAboutPAndScalesTheRestEvalPassesThrough() {
        float[] x = TestTensors.uniform(1, (int) SHAPE.numel());
        float[] dy = TestTensors.uniform(2, (int) SHAPE.numel());
        try (ReferenceBackend backend = new ReferenceBackend()) {
            Dropout dropout = new Dropout(0.25, 42);
            float[][] result = step(backend, dropout, x, dy);
            float[] mask = Dropout.mask(42, 0, x.length, 0.25);
            int dropped = 0;
            for (int i = 0; i < x.length; i++) {
                if (mask[i] == 0) dropped++;
                else assertEquals(4f / 3f, mask[i]);
                assertEquals(x[i] * mask[i], result[0][i], "output " + i);
                assertEquals(dy[i] * mask[i], result[1][i], "gradient " + i);
            }
            assertEquals(0.25, dropped / (double) x.length, 0.04, "fraction dropped");
            assertEquals(1, dropout.step());

            dropout.setTraining(false);
            try (Tensor input = backend.fromArray(SHAPE, x); StepScope scope = new StepScope()) {
                assertSame(input, dropout.forward(input, scope), "eval mode passes the input through");
            }
            assertEquals(1, dropout.step(), "eval does not advance the mask sequence");
        }
    }

    @Test
    void masksDependOnSeedAndStepOnlyAndSeekResumesTheSequence() {
        assertArrayEquals(Dropout.mask(7, 3, 500, 0.5), Dropout.mask(7, 3, 500, 0.5));
        assertFalse(java.util.Arrays.equals(Dropout.mask(7, 3, 500, 0.5), Dropout.mask(7, 4, 500, 0.5)));
        assertFalse(java.util.Arrays.equals(Dropout.mask(7, 3, 500, 0.5), Dropout.mask(8, 3, 500, 0.5)));
        float[] x = TestTensors.uniform(3, (int) SHAPE.numel());
        try (ReferenceBackend backend = new ReferenceBackend()) {
            Dropout uninterrupted = new Dropout(0.5, 9);
            step(backend, uninterrupted, x, x);
            float[] second = step(backend, uninterrupted, x, x)[0];
            Dropout resumed = new Dropout(0.5, 9);
            resumed.seek(1);
            assertArrayEquals(second, step(backend, resumed, x, x)[0]);
        }
    }

    @Test
    void pOutsideZeroToOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(-0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(Double.NaN, 0));
        assertTrue(new Dropout(0, 0).step() == 0);
    }
}
