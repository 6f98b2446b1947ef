package dev.isthmus.nn;

import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * One entry of a model's state dict: a trainable {@link Parameter} or a non-trainable {@link Buffer}.
 * Checkpoints save and load every entry under PyTorch's name.
 */
public sealed interface StateTensor permits Parameter, Buffer {

    /**
     * The tensor's shape, fixed for its life.
     *
     * @return the shape
     */
    Shape shape();

    /**
     * The current values, on the model's backend.
     *
     * @return the tensor, owned by this entry
     */
    Tensor value();

    /**
     * Replaces the values with host values (loading a checkpoint, initialisation).
     *
     * @param values {@code shape().numel()} values
     */
    void load(float[] values);

    /**
     * Sets the starting values with this entry's {@link Initializer}.
     *
     * @param random the model's generator, shared by all entries in state-dict order
     */
    void initialize(SplittableRandom random);
}
