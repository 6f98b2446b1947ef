package dev.isthmus.nn;

import dev.isthmus.tensor.Tensor;

/** {@code nn.ReLU} / {@code F.relu}. */
public final class ReLU extends OutputActivation {

    /** A ReLU layer; it has no parameters. */
    public ReLU() {
    }

    @Override
    Tensor apply(Tensor input) {
        return input.backend().relu(input);
    }

    @Override
    Tensor gradient(Tensor output, Tensor gradOutput) {
        return gradOutput.backend().reluBackward(output, gradOutput);
    }
}
