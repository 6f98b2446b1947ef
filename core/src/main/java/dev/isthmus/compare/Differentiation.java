package dev.isthmus.compare;

import dev.isthmus.tensor.Tensor;

import java.util.List;

/**
 * An op's inputs for the gradient suite and every backward pass to check on them; closing it
 * closes the inputs.
 *
 * @param inputs the inputs, on the backend under test
 * @param paths  the backward passes, each for one input
 */
public record Differentiation(Tensor[] inputs, List<GradientPath> paths) implements AutoCloseable {
    /**
     * A differentiation of a single-input op whose gradient flows through its output.
     *
     * @param input    the input (closed with this)
     * @param forward  the op
     * @param backward its backward pass
     * @return the differentiation
     */
    public static Differentiation ofOne(Tensor input, GradientPath.Forward forward, GradientPath.Backward backward) {
        return new Differentiation(new Tensor[] {input}, List.of(new GradientPath.ThroughOutput("input", 0, forward, backward)));
    }

    /** Closes the inputs. */
    @Override
    public void close() {
        for (Tensor input : inputs) {
            if (input != null) input.close();
        }
    }
}
