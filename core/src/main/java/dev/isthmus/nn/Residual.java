package dev.isthmus.nn;

import dev.isthmus.backend.Backend;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.util.Map;

/**
 * {@code y = relu(x + body(x))}, the lesson's residual block; the body's layers appear in the state
 * dict under their own names ({@code conv1}, {@code conv2}).
 */
public final class Residual implements Layer {
    private final Sequential body;
    private Tensor output;

    /**
     * relu(x + body(x)).
     *
     * @param body the residual branch; its output has the input's shape
     */
    public Residual(Sequential body) {
        this.body = body;
    }

    @Override
    public Tensor forward(Tensor input, StepScope scope) {
        Backend backend = input.backend();
        Tensor branch = body.forward(input, scope);
        Tensor sum = scope.track(backend.add(input, branch));
        output = scope.track(backend.relu(sum));
        return output;
    }

    @Override
    public Tensor backward(Tensor gradOutput, StepScope scope) {
        Backend backend = gradOutput.backend();
        Tensor gradSum = scope.track(backend.reluBackward(output, gradOutput));
        Tensor gradThroughBody = body.backward(gradSum, scope);
        return scope.track(backend.add(gradSum, gradThroughBody));
    }

    @Override
    public Shape outputShape(Shape input) {
        Shape out = body.outputShape(input);
        if (!out.equals(input)) {
            throw new IllegalArgumentException("residual: body maps " + input + " to " + out + "; the skip connection needs equal shapes");
        }
        return out;
    }

    @Override
    public Map<String, Layer> children() {
        return body.children();
    }
}
