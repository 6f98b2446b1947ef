package dev.isthmus.compare;

/**
 * The first disagreement of a comparison: the step and the first tensor beyond tolerance in it.
 *
 * @param step the step, from 1
 * @param diff the tensor's comparison
 */
public record Mismatch(int step, TensorDiff diff) {

    /**
     * One line: step, tensor, index, both values, the error and the tolerance.
     *
     * @return the line
     */
    public String describe() {
        return "backends disagree at step " + step + ": " + diff.describeWorst();
    }
}
