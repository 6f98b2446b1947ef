package dev.isthmus.train;

import dev.isthmus.IsthmusException;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.StepScope;
import dev.isthmus.tensor.Tensor;

/** Training stopped because the loss became NaN or infinite; says at which step and where it started. */
public final class DivergedException extends IsthmusException {
    /** The step whose loss was not finite. */
    private final long step;

    /**
     * Training diverged.
     *
     * @param step    the step whose loss was not finite
     * @param message one line: where and what to do
     */
    public DivergedException(long step, String message) {
        super(EXIT_DIVERGED, message);
        this.step = step;
    }

    /**
     * The step that diverged.
     *
     * @return its number, counted from 0 over the whole run
     */
    public long step() {
        return step;
    }

    /** Re-runs the batch's forward pass layer by layer to name the first non-finite parameter or activation. */
    static DivergedException locate(Model model, Batch batch, long step, float loss) {
        String where;
        try (StepScope scope = new StepScope()) {
            Tensor images = scope.track(model.backend().fromArray(batch.shape(), batch.images()));
            where = model.firstNonFinite(images, scope);
        }
        return new DivergedException(step, "training diverged at step " + step + ": loss is " + loss
                + "; first non-finite values: " + where
                + ". Lower the learning rate (--lr) or check the input data; the last checkpoint is intact.");
    }
}
