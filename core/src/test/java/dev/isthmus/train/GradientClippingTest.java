package dev.isthmus.train;

import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.nn.Linear;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Sequential;
import dev.isthmus.tensor.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** clip_grad_norm_: the global 2-norm over all gradients, scaled by max/(norm + 1e-6) only above the limit. */
class GradientClippingTest {
    @Test
    void gradientsAboveTheLimitAreScaledTogetherBelowItUntouched() {
        try (ReferenceBackend backend = new ReferenceBackend();
             Model model = new Model("tiny", backend, new Sequential().add("fc", new Linear(backend, 2, 1)), Shape.of(2))) {
            // weight gradient [3, 0], bias gradient [4]: global norm 5.
            model.stateDict().get("fc.weight").setGrad(backend.fromArray(Shape.of(1, 2), 3, 0));
            model.stateDict().get("fc.bias").setGrad(backend.fromArray(Shape.of(1), 4));
            assertEquals(5, GradientClipping.clip(model, 10), 1e-6);
            assertArrayEquals(new float[] {3, 0}, model.stateDict().get("fc.weight").grad().toArray(), "below the limit: unchanged");
            assertEquals(5, GradientClipping.clip(model, 1), 1e-6);
            float factor = (float) (1 / (5 + 1e-6));
            assertArrayEquals(new float[] {3 * factor, 0}, model.stateDict().get("fc.weight").grad().toArray(), 1e-7f);
            assertArrayEquals(new float[] {4 * factor}, model.stateDict().get("fc.bias").grad().toArray(), 1e-7f);
            assertEquals(1, GradientClipping.clip(model, 1), 1e-5, "the clipped norm is the limit");
            assertThrows(IllegalArgumentException.class, () -> GradientClipping.clip(model, 0));
            assertThrows(IllegalArgumentException.class, () -> new Sgd(SgdSettings.lesson(), -1));
        }
    }
}
