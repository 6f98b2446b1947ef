package dev.isthmus.compare;

import dev.isthmus.backend.Backend;
import dev.isthmus.tensor.Shape;

import java.util.List;
import java.util.Map;

/**
 * One op with its shapes, and everything the tests and tools need to know about it: how to evaluate
 * it forward and backward ({@code compare --op}, the conformance suites, the benchmark), how to
 * differentiate it (the gradient suite) and which bad arguments it must refuse (the argument-error
 * suite). One record per op ({@code Conv2dCase}, {@code ReluCase}, ...), listed in {@link OpCatalogue}.
 * <p>
 * Inputs are drawn on the host from a seed (so every backend gets identical inputs): uniform in
 * [-1, 1]; weights and biases uniform in ±1/√fan_in like PyTorch's initialisation, so outputs stay O(1).
 */
public interface OpCase {

    /**
     * The op's name on the command line: {@code conv2d}, {@code maxpool2d}, ...
     *
     * @return the name
     */
    String name();

    /**
     * The shapes and settings, for reports.
     *
     * @return settings by name
     */
    Map<String, Object> describe();

    /**
     * Every output of the forward and backward pass, in the order computed, copied to the host.
     * Tensors allocated on {@code backend} are freed before it returns.
     *
     * @param backend the backend that computes
     * @param seed    the inputs' seed
     * @return the outputs (Java heap)
     */
    List<Output> evaluate(Backend backend, long seed);

    /**
     * The op's inputs on {@code backend} and each backward pass, for a finite-difference check of
     * the gradients (inputs chosen so no perturbation crosses a kink of the op).
     *
     * @param backend the backend under test
     * @return the inputs (the caller closes them) and the backward passes
     */
    Differentiation differentiation(Backend backend);

    /**
     * Bad calls of the op (its forward and backward) and the message every backend must give.
     *
     * @return at least one bad argument
     */
    List<BadArgument> badArguments();

    /**
     * One result of the op.
     *
     * @param name   the output's name, e.g. {@code grad_input}
     * @param kind   what it is
     * @param shape  its shape
     * @param terms  float32 terms summed into each element (see {@link Tolerances})
     * @param values its values
     */
    record Output(String name, TensorKind kind, Shape shape, long terms, float[] values) {
    }
}
