package dev.isthmus.compare;

import dev.isthmus.backend.Backend;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * The random inputs of the catalogue's cases, drawn on the host from a seed so every backend gets
 * the same values.
 */
public final class CaseInputs {
    private CaseInputs() {
    }

    /**
     * {@code shape.numel()} values uniform in [-bound, bound).
     *
     * @param random the generator
     * @param shape  how many values
     * @param bound  the range's half-width
     * @return the values
     */
    public static float[] uniform(SplittableRandom random, Shape shape, double bound) {
        float[] values = new float[Math.toIntExact(shape.numel())];
        for (int i = 0; i < values.length; i++) values[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
        return values;
    }

    /**
     * A tensor of {@code shape} with values uniform in [-1, 1) from {@code seed}.
     *
     * @param backend where the tensor lives (the caller closes it)
     * @param seed    the values' seed
     * @param shape   the shape
     * @return the tensor
     */
    public static Tensor uniform(Backend backend, long seed, Shape shape) {
        return backend.fromArray(shape, uniform(new SplittableRandom(seed), shape, 1));
    }

    /**
     * {@code count} distinct values, any two at least {@code spacing} apart, in random order, and
     * none closer than spacing/2 to zero: safe inputs for finite differences through max and relu,
     * whose derivatives jump where values tie or cross zero.
     *
     * @param seed    the order's seed
     * @param count   how many values
     * @param spacing the distance between neighbouring values
     * @return the values
     */
    public static float[] wellSeparated(long seed, int count, float spacing) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (i - count / 2 + 0.5f) * spacing;
        for (int i = count - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            float t = values[i];
            values[i] = values[j];
            values[j] = t;
        }
        return values;
    }

    /**
     * A tensor of {@link #wellSeparated(long, int, float)} values.
     *
     * @param backend where the tensor lives (the caller closes it)
     * @param seed    the order's seed
     * @param shape   the shape
     * @param spacing the distance between neighbouring values
     * @return the tensor
     */
    public static Tensor wellSeparated(Backend backend, long seed, Shape shape, float spacing) {
        return backend.fromArray(shape, wellSeparated(seed, Math.toIntExact(shape.numel()), spacing));
    }
}
