package dev.isthmus.nn;

import dev.isthmus.backend.Backend;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * A non-trainable tensor a layer keeps between steps (BatchNorm's running mean and variance): saved
 * in the state dict and checkpoints under PyTorch's name, moved with the model, never given a
 * gradient or updated by the optimizer. The buffer owns its tensor: replacing it closes the old one.
 */
public final class Buffer implements StateTensor, AutoCloseable {
    private final Shape shape;
    private final Initializer initializer;
    private Tensor value;

    /**
     * A buffer over {@code value}, which it takes ownership of.
     *
     * @param value       the tensor, on the layer's backend
     * @param initializer how {@link Model#initialize} sets it
     */
    public Buffer(Tensor value, Initializer initializer) {
        this.shape = value.shape();
        this.value = value;
        this.initializer = initializer;
    }

    @Override
    public Shape shape() {
        return shape;
    }

    @Override
    public Tensor value() {
        return value;
    }

    /**
     * Replaces the values with a tensor the layer computed (a new running statistic); closes the old one.
     *
     * @param replacement a tensor of the same shape and backend, which the buffer takes ownership of
     */
    public void update(Tensor replacement) {
        if (!replacement.shape().equals(shape)) {
            throw new IllegalArgumentException("buffer shape " + shape + " cannot take a tensor of shape " + replacement.shape());
        }
        if (replacement != value) {
            value.close();
            value = replacement;
        }
    }

    @Override
    public void load(float[] values) {
        update(value.backend().fromArray(shape, values));
    }

    @Override
    public void initialize(SplittableRandom random) {
        load(initializer.values(shape, random));
    }

    /** Moves the values to another backend, like PyTorch's {@code .to(device)}. */
    void moveTo(Backend target) {
        value = copiedTo(value, target);
    }

    /** {@code value} itself when it is on {@code target} already, else a copy there (the original is closed). */
    static Tensor copiedTo(Tensor value, Backend target) {
        if (value.backend() == target) return value;
        Tensor moved = target.fromArray(value.shape(), value.toArray());
        value.close();
        return moved;
    }

    @Override
    public void close() {
        value.close();
    }
}
