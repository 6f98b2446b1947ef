package dev.isthmus.nn;

import dev.isthmus.tensor.Tensor;

/** {@code nn.Sigmoid} / {@code torch.sigmoid}: 1 / (1 + e^(−x)) elementwise; its backward needs only its output. */
public final class Sigmoid extends OutputActivation {
    /** A sigmoid layer; it has no parameters. */
    public Sigmoid() {
    }

    @Override
    Tensor apply(Tensor input) {
        return input.backend().sigmoid(input);
    }

    @Override
    Tensor gradient(Tensor output, Tensor gradOutput) {
        return gradOutput.backend().sigmoidBackward(output, gradOutput);
    }
}
