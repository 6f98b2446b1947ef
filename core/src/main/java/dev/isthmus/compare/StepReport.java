package dev.isthmus.compare;

import java.util.List;
import java.util.Optional;

/**
 * The comparison of one training step (or of the one evaluation of single-op mode).
 *
 * @param step    1-based
 * @param lossA   backend A's loss, NaN when the step has no loss (single-op mode other than cross-entropy)
 * @param lossB   backend B's loss, likewise
 * @param tensors every compared tensor in the order it was computed: activations, loss, activation
 *                gradients, parameter gradients, updated parameters
 */
public record StepReport(int step, float lossA, float lossB, List<TensorDiff> tensors) {

    /** Keeps an unmodifiable copy of the tensors. */
    public StepReport {
        tensors = List.copyOf(tensors);
    }

    /**
     * Whether every tensor agreed within tolerance.
     *
     * @return true when none was beyond it
     */
    public boolean passed() {
        return tensors.stream().allMatch(TensorDiff::passed);
    }

    /**
     * The tensor that used the largest share of its tolerance (the first one on ties); empty when
     * every value of every tensor is equal on both sides.
     *
     * @return the tensor, or empty
     */
    public Optional<TensorDiff> worst() {
        TensorDiff worst = null;
        for (TensorDiff diff : tensors) {
            boolean differs = diff.maxAbs() > 0 || !diff.passed();
            if (differs && (worst == null || diff.worstRatio() > worst.worstRatio())) worst = diff;
        }
        return Optional.ofNullable(worst);
    }

    /**
     * The first tensor beyond tolerance in computation order: where the disagreement starts (later
     * tensors inherit it).
     *
     * @return the tensor, or empty when all agreed
     */
    public Optional<TensorDiff> firstFailure() {
        return tensors.stream().filter(diff -> !diff.passed()).findFirst();
    }

    /**
     * Whether the step computed a loss.
     *
     * @return false in single-op mode other than cross-entropy
     */
    public boolean hasLoss() {
        return !Float.isNaN(lossA) || !Float.isNaN(lossB);
    }
}
