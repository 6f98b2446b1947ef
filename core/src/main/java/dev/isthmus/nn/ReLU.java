package dev.isthmus.nn;

import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

/** {@code nn.ReLU} / {@code F.relu}. */
public final class ReLU implements Layer {
    private Tensor output;

    @Override
    public Tensor forward(Tensor input, StepScope scope) {
        output = scope.track(input.backend().relu(input));
        return output;
    }

    @Override
    public Tensor backward(Tensor gradOutput, StepScope scope) {
        return scope.track(gradOutput.backend().reluBackward(output, gradOutput));
    }

    @Override
    public Shape outputShape(Shape input) {
        return input;
    }
}
