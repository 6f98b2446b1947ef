package dev.isthmus.compare;

/**
 * One tensor's worst agreement over all steps.
 *
 * @param worstStep the step where {@code worstRatio} occurred (the first such step on ties)
 */
public record LayerSummary(String tensor, TensorKind kind, double maxAbs, double maxRel, double worstRatio, int worstStep) {

    public boolean passed() {
        return worstRatio <= 1;
    }

    public String label() {
        return tensor + " (" + kind.id() + ")";
    }
}
