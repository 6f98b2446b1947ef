package dev.isthmus.nn;

import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

/** {@code nn.Sigmoid} / {@code torch.sigmoid}: 1 / (1 + e^(−x)) elementwise; its backward needs only its output. */
public final class Sigmoid implements Layer {
    private Tensor output;

    /** A sigmoid layer; it has no parameters. */
    public Sigmoid() {
    }

    /**
     * {@inheritDoc} Keeps the output for the backward pass.
     */
    @Override
    public Tensor forward(Tensor input, StepScope scope) {
        output = scope.track(input.backend().sigmoid(input));
        return output;
    }

    @Override
    public Tensor backward(Tensor gradOutput, StepScope scope) {
        return scope.track(gradOutput.backend().sigmoidBackward(output, gradOutput));
    }

    @Override
    public Shape outputShape(Shape input) {
        return input;
    }
}
