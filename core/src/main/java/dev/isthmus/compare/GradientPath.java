package dev.isthmus.compare;

import dev.isthmus.tensor.Tensor;

/**
 * One backward pass of an op, as the gradient suite checks it against finite differences of the
 * forward pass: either through the op's output ({@link ThroughOutput}, for L = Σ output ⊙ R with a
 * random R) or of a scalar the op computes itself ({@link OfLoss}); an update without a backward pass checks an
 * {@link Invariant} instead.
 */
public sealed interface GradientPath {
    /**
     * What is differentiated, for messages, e.g. {@code weight}.
     *
     * @return the name
     */
    String name();

    /**
     * The index of the input the gradient belongs to.
     *
     * @return an index into {@link Differentiation#inputs()}
     */
    int input();

    /** The forward pass: a new tensor from the inputs (the caller closes it). */
    @FunctionalInterface
    interface Forward {
        /**
         * Computes the op's output.
         *
         * @param inputs the inputs
         * @return a new tensor
         */
        Tensor apply(Tensor[] inputs);
    }

    /** The backward pass for one input: ∂L/∂inputs[k] given the inputs, the forward output and ∂L/∂output. */
    @FunctionalInterface
    interface Backward {
        /**
         * Computes one input's gradient.
         *
         * @param inputs     the inputs
         * @param output     the forward output
         * @param gradOutput ∂L/∂output
         * @return a new tensor of the input's shape
         */
        Tensor apply(Tensor[] inputs, Tensor output, Tensor gradOutput);
    }

    /** A scalar the op computes (a loss). */
    @FunctionalInterface
    interface Objective {
        /**
         * Computes the scalar.
         *
         * @param inputs the inputs
         * @return its value
         */
        double apply(Tensor[] inputs);
    }

    /** The analytic gradient of an {@link Objective}, copied to the host. */
    @FunctionalInterface
    interface HostGradient {
        /**
         * Computes the gradient.
         *
         * @param inputs the inputs
         * @return its values
         */
        float[] apply(Tensor[] inputs);
    }

    /**
     * The gradient through the op's output.
     *
     * @param name     what is differentiated
     * @param input    the input's index
     * @param forward  the op
     * @param backward its backward pass for that input
     */
    record ThroughOutput(String name, int input, Forward forward, Backward backward) implements GradientPath {
    }

    /**
     * The gradient of a scalar the op computes.
     *
     * @param name      what is differentiated
     * @param input     the input's index
     * @param objective the scalar
     * @param gradient  its gradient with respect to that input
     */
    record OfLoss(String name, int input, Objective objective, HostGradient gradient) implements GradientPath {
    }

    /** A property an op without a backward pass (an optimizer update) checks on the inputs instead. */
    @FunctionalInterface
    interface Property {
        /**
         * Checks the property.
         *
         * @param inputs the inputs
         * @return null when it holds, else what went wrong
         */
        String violation(Tensor[] inputs);
    }

    /**
     * What an op with no gradient to check guarantees instead (an update in place, such as Adam's first step).
     *
     * @param name     what is checked
     * @param input    the input the property is about
     * @param property the check
     */
    record Invariant(String name, int input, Property property) implements GradientPath {
    }
}
