package dev.isthmus.nn;

import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

/** {@code nn.AvgPool2d} / {@code F.avg_pool2d} with PyTorch's default {@code count_include_pad=True}. */
public final class AvgPool2d implements Layer {
    private final Pool2dSpec spec;
    private Tensor input;

    /**
     * An average pooling layer.
     *
     * @param spec window, stride, padding
     */
    public AvgPool2d(Pool2dSpec spec) {
        this.spec = spec;
    }

    @Override
    public Tensor forward(Tensor input, StepScope scope) {
        this.input = input;
        return scope.track(input.backend().avgPool2d(input, spec));
    }

    @Override
    public Tensor backward(Tensor gradOutput, StepScope scope) {
        return scope.track(gradOutput.backend().avgPool2dBackward(input, gradOutput, spec));
    }

    @Override
    public Shape outputShape(Shape input) {
        return spec.outputShape("avgPool2d", input);
    }
}
