package dev.isthmus.compare;

/**
 * One tensor's worst agreement over all steps.
 * @param worstStep the step where {@code worstRatio} occurred (the first such step on ties)
 *
 * @param tensor     layer path or state-dict name
 * @param kind       what the tensor is
 * @param maxAbs     largest {@code |a - b|} over all steps
 * @param maxRel     largest relative difference over all steps
 * @param worstRatio largest share of the tolerance used, above 1 = mismatch
 */
public record LayerSummary(String tensor, TensorKind kind, double maxAbs, double maxRel, double worstRatio, int worstStep) {

    /**
     * Whether the tensor stayed within tolerance in every step.
     *
     * @return true when {@code worstRatio <= 1}
     */
    public boolean passed() {
        return worstRatio <= 1;
    }

    /**
     * The tensor and its kind, e.g. {@code conv2.weight (param-grad)}.
     *
     * @return the label
     */
    public String label() {
        return tensor + " (" + kind.id() + ")";
    }
}
