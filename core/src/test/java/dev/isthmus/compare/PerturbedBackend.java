package dev.isthmus.compare;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;
import dev.isthmus.testing.ForwardingBackend;

import java.util.function.UnaryOperator;

/**
 * A deliberately wrong backend for comparison tests: it forwards everything to a delegate but
 * changes the result of one call of one op (counted from 1), the way a real backend bug shows up.
 */
final class PerturbedBackend extends ForwardingBackend {
    private Shape weightGradShape;
    private int weightGradCall;
    private int weightGradCalls;
    private int reluCall;
    private int reluCalls;
    private int reluIndex;
    private float reluDelta;

    PerturbedBackend(Backend delegate) {
        super(delegate);
    }

    /** Negates the whole result of the {@code call}-th {@code conv2dBackwardWeight} for a weight of {@code shape}. */
    Backend flipWeightGradient(Shape shape, int call) {
        this.weightGradShape = shape;
        this.weightGradCall = call;
        return backend();
    }

    /** Adds {@code delta} to element {@code index} of the {@code call}-th {@code relu} result. */
    Backend perturbRelu(int call, int index, float delta) {
        this.reluCall = call;
        this.reluIndex = index;
        this.reluDelta = delta;
        return backend();
    }

    public Tensor conv2dBackwardWeight(Tensor input, Tensor gradOutput, Shape weightShape, Conv2dSpec spec) {
        Tensor result = forwarded().conv2dBackwardWeight(input, gradOutput, weightShape, spec);
        if (weightShape.equals(weightGradShape) && ++weightGradCalls == weightGradCall) {
            return replace(result, values -> {
                for (int i = 0; i < values.length; i++) values[i] = -values[i];
                return values;
            });
        }
        return result;
    }

    public Tensor relu(Tensor input) {
        Tensor result = forwarded().relu(input);
        if (++reluCalls == reluCall) {
            return replace(result, values -> {
                values[reluIndex] += reluDelta;
                return values;
            });
        }
        return result;
    }

    private Tensor replace(Tensor result, UnaryOperator<float[]> change) {
        float[] values = change.apply(result.toArray());
        Tensor replacement = backend().fromArray(result.shape(), values);
        result.close();
        return replacement;
    }
}
