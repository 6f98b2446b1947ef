package dev.isthmus.nn;

import dev.isthmus.backend.Backend;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

/**
 * A trainable tensor and its latest gradient. The parameter owns both: replacing either closes
 * the previous one, so a training loop holds exactly one value and one gradient per parameter.
 */
public final class Parameter implements AutoCloseable {
    private final Shape shape;
    private final int fanIn;
    private Tensor value;
    private Tensor grad;

    Parameter(Tensor value, int fanIn) {
        this.shape = value.shape();
        this.value = value;
        this.fanIn = fanIn;
    }

    public Shape shape() {
        return shape;
    }

    /** Inputs feeding one output unit (in·kH·kW for a conv, in for a linear): PyTorch's init uses it. */
    public int fanIn() {
        return fanIn;
    }

    public Tensor value() {
        return value;
    }

    /** The gradient from the last backward pass, or null before the first one. */
    public Tensor grad() {
        return grad;
    }

    public void setGrad(Tensor newGrad) {
        if (!newGrad.shape().equals(shape)) {
            throw new IllegalArgumentException("gradient shape " + newGrad.shape() + " does not match parameter shape " + shape);
        }
        if (grad != null) grad.close();
        grad = newGrad;
    }

    /** Replaces the values with host values (loading a checkpoint, initialisation). */
    public void load(float[] values) {
        Tensor replacement = value.backend().fromArray(shape, values);
        value.close();
        value = replacement;
    }

    /** Moves value (and drops the gradient) to another backend, like PyTorch's {@code .to(device)}. */
    void moveTo(Backend target) {
        if (value.backend() == target) return;
        Tensor moved = target.fromArray(shape, value.toArray());
        value.close();
        value = moved;
        clearGrad();
    }

    public void clearGrad() {
        if (grad != null) {
            grad.close();
            grad = null;
        }
    }

    @Override
    public void close() {
        clearGrad();
        value.close();
    }
}
