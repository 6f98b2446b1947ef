package dev.isthmus.nn;

import dev.isthmus.tensor.Shape;

import java.util.SplittableRandom;

/**
 * How a parameter or buffer starts: a layer gives one per tensor (BatchNorm's weight starts at 1, its
 * bias at 0; a convolution's weight is random). {@link Model#initialize} calls them in state-dict order
 * with one seeded generator; constant initialisers draw nothing from it, so adding a layer with
 * constant state leaves every other tensor's starting values unchanged.
 */
@FunctionalInterface
public interface Initializer {

    /**
     * The starting values of a tensor.
     *
     * @param shape  the tensor's shape
     * @param random the model's generator, shared by all tensors in state-dict order
     * @return {@code shape.numel()} values
     */
    float[] values(Shape shape, SplittableRandom random);

    /**
     * PyTorch's default for Conv2d and Linear weights and biases: uniform in ±1/√fanIn (kaiming-uniform
     * with a = √5 gives the same bound for weights).
     *
     * @param fanIn inputs feeding one output unit (in·kH·kW for a conv, in for a linear)
     * @return the initialiser
     */
    static Initializer uniformFanIn(int fanIn) {
        double bound = 1.0 / Math.sqrt(fanIn);
        return (shape, random) -> {
            float[] values = new float[Math.toIntExact(shape.numel())];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
            }
            return values;
        };
    }

    /**
     * Every element {@code value} ({@code nn.init.constant_}, {@code ones_}, {@code zeros_}); draws nothing.
     *
     * @param value the starting value of every element
     * @return the initialiser
     */
    static Initializer constant(float value) {
        return (shape, random) -> {
            float[] values = new float[Math.toIntExact(shape.numel())];
            java.util.Arrays.fill(values, value);
            return values;
        };
    }
}
