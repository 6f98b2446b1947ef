package dev.isthmus.nn;

import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

/** {@code x.view(batch_size, -1)}: a view of the same memory, no copy. */
public final class Flatten implements Layer {
    private Shape inputShape;

    /** A flatten layer. */
    public Flatten() {
    }

    @Override
    public Tensor forward(Tensor input, StepScope scope) {
        inputShape = input.shape();
        return input.flatten();
    }

    @Override
    public Tensor backward(Tensor gradOutput, StepScope scope) {
        return gradOutput.view(inputShape);
    }

    @Override
    public Shape outputShape(Shape input) {
        return Shape.of(input.dim(0), (int) (input.numel() / Math.max(1, input.dim(0))));
    }
}
