package dev.isthmus.nn;

import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

/** An elementwise activation whose gradient needs only its forward output (ReLU, sigmoid): the output is kept for backward. */
abstract class OutputActivation implements Layer {
    private Tensor output;

    /** The activation of {@code input}, a new tensor. */
    abstract Tensor apply(Tensor input);

    /** The input's gradient from the forward output and the output's gradient, a new tensor. */
    abstract Tensor gradient(Tensor output, Tensor gradOutput);

    @Override
    public final Tensor forward(Tensor input, StepScope scope) {
        output = scope.track(apply(input));
        return output;
    }

    @Override
    public final Tensor backward(Tensor gradOutput, StepScope scope) {
        return scope.track(gradient(output, gradOutput));
    }

    @Override
    public final Shape outputShape(Shape input) {
        return input;
    }
}
