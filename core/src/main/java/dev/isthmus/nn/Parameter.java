package dev.isthmus.nn;

import dev.isthmus.backend.Backend;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * A trainable tensor and its latest gradient. The parameter owns both: replacing either closes
 * the previous one, so a training loop holds exactly one value and one gradient per parameter.
 */
public final class Parameter implements StateTensor, AutoCloseable {
    private final Shape shape;
    private final int fanIn;
    private final Initializer initializer;
    private Tensor value;
    private Tensor grad;

    /** A parameter with PyTorch's default start for Conv2d and Linear ({@link Initializer#uniformFanIn}). */
    Parameter(Tensor value, int fanIn) {
        this(value, fanIn, Initializer.uniformFanIn(fanIn));
    }

    /**
     * A parameter over {@code value}, which it takes ownership of, that starts as {@code initializer} says.
     *
     * @param value       the tensor, on the layer's backend
     * @param fanIn       inputs feeding one output unit, for reports and initialisers
     * @param initializer how {@link Model#initialize} sets it
     */
    public Parameter(Tensor value, int fanIn, Initializer initializer) {
        this.shape = value.shape();
        this.value = value;
        this.fanIn = fanIn;
        this.initializer = initializer;
    }

    @Override
    public Shape shape() {
        return shape;
    }

    /**
     * Inputs feeding one output unit (in·kH·kW for a conv, in for a linear): PyTorch's init uses it.
     *
     * @return the fan-in
     */
    public int fanIn() {
        return fanIn;
    }

    @Override
    public Tensor value() {
        return value;
    }

    /**
     * The gradient from the last backward pass, or null before the first one.
     *
     * @return the gradient, or null
     */
    public Tensor grad() {
        return grad;
    }

    /**
     * Replaces the gradient, closing the previous one.
     *
     * @param newGrad a tensor of the parameter's shape; the parameter owns it
     */
    public void setGrad(Tensor newGrad) {
        if (!newGrad.shape().equals(shape)) {
            throw new IllegalArgumentException("gradient shape " + newGrad.shape() + " does not match parameter shape " + shape);
        }
        if (grad != null) grad.close();
        grad = newGrad;
    }

    @Override
    public void load(float[] values) {
        Tensor replacement = value.backend().fromArray(shape, values);
        value.close();
        value = replacement;
    }

    @Override
    public void initialize(SplittableRandom random) {
        load(initializer.values(shape, random));
    }

    /** Moves value (and drops the gradient) to another backend, like PyTorch's {@code .to(device)}. */
    void moveTo(Backend target) {
        if (value.backend() == target) return;
        value = Buffer.copiedTo(value, target);
        clearGrad();
    }

    /**
     * Closes and forgets the gradient.
     */
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
