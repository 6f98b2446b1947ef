package dev.isthmus.nn;

import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

/** {@code nn.AdaptiveAvgPool2d(1)}: the mean of each channel, [N, C, H, W] → [N, C, 1, 1]. */
public final class GlobalAvgPool2d implements Layer {
    private Tensor input;

    /** A layer without parameters. */
    public GlobalAvgPool2d() {
    }

    @Override
    public Tensor forward(Tensor input, StepScope scope) {
        this.input = input;
        return scope.track(input.backend().globalAvgPool2d(input));
    }

    @Override
    public Tensor backward(Tensor gradOutput, StepScope scope) {
        return scope.track(gradOutput.backend().globalAvgPool2dBackward(input, gradOutput));
    }

    @Override
    public Shape outputShape(Shape input) {
        if (input.rank() != 4 || input.dim(2) == 0 || input.dim(3) == 0) {
            throw new IllegalArgumentException("globalAvgPool2d: input must be 4-D [N, C, H, W] with H and W at least 1, got " + input);
        }
        return Shape.of(input.dim(0), input.dim(1), 1, 1);
    }
}
