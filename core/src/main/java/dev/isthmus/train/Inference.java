package dev.isthmus.train;

import dev.isthmus.nn.Model;
import dev.isthmus.nn.StepScope;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

/**
 * Forward passes that do not train: evaluation, {@code isthmus predict} and the
 * {@link dev.isthmus.infer.Predictor}. Every inference goes through {@link #logits}, so whatever
 * inference needs (an eval mode of the layers) is set in one place.
 */
public final class Inference {
    private Inference() {
    }

    /**
     * The model's raw outputs for a batch of normalised images.
     *
     * @param model  the network, whose backend receives the batch
     * @param shape  the batch's shape, [B, C, H, W]
     * @param images {@code shape.numel()} values; copied to the model's backend and freed before returning
     * @return B rows of logits, row-major, on the Java heap
     */
    public static float[] logits(Model model, Shape shape, float[] images) {
        try (StepScope scope = new StepScope()) {
            Tensor input = scope.track(model.backend().fromArray(shape, images));
            return model.forward(input, scope).toArray();
        }
    }

    /**
     * The predicted class of one row of logits.
     *
     * @param values  rows of logits
     * @param offset  where the row starts
     * @param classes the row's length
     * @return the index of the largest of the row's values; the first on ties
     */
    public static int argMax(float[] values, int offset, int classes) {
        int best = 0;
        for (int c = 1; c < classes; c++) {
            if (values[offset + c] > values[offset + best]) best = c;
        }
        return best;
    }
}
