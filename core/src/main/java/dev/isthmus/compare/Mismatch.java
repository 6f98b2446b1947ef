package dev.isthmus.compare;

/** The first disagreement of a comparison: the step and the first tensor beyond tolerance in it. */
public record Mismatch(int step, TensorDiff diff) {

    /** One line: step, tensor, index, both values, the error and the tolerance. */
    public String describe() {
        return "backends disagree at step " + step + ": " + diff.describeWorst();
    }
}
