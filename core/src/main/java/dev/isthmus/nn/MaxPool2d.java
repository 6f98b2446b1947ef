package dev.isthmus.nn;

import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

/** {@code nn.MaxPool2d}. */
public final class MaxPool2d implements Layer {
    private final Pool2dSpec spec;
    private Tensor input;
    private Tensor output;

    /**
     * A max pooling layer.
     *
     * @param spec window, stride, padding
     */
    public MaxPool2d(Pool2dSpec spec) {
        this.spec = spec;
    }

    @Override
    public Tensor forward(Tensor input, StepScope scope) {
        this.input = input;
        scope.maxPoolInput(input, spec);
        this.output = scope.track(input.backend().maxPool2d(input, spec));
        return output;
    }

    @Override
    public Tensor backward(Tensor gradOutput, StepScope scope) {
        return scope.track(gradOutput.backend().maxPool2dBackward(input, output, gradOutput, spec));
    }

    @Override
    public Shape outputShape(Shape input) {
        return spec.outputShape("maxPool2d", input);
    }
}
