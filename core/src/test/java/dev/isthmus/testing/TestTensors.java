package dev.isthmus.testing;

import dev.isthmus.backend.Backend;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.util.SplittableRandom;

/** Reproducible test data: every value comes from a seed, so a failing case can be rerun exactly. */
public final class TestTensors {
    private TestTensors() {
    }

    /** {@code count} values uniform in [-1, 1). */
    public static float[] uniform(long seed, int count) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float) (random.nextDouble() * 2 - 1);
        return values;
    }

    /** A tensor of {@code shape} with values uniform in [-1, 1). */
    public static Tensor uniform(Backend backend, long seed, Shape shape) {
        return backend.fromArray(shape, uniform(seed, Math.toIntExact(shape.numel())));
    }

    public static Tensor uniform(Backend backend, long seed, int... dims) {
        return uniform(backend, seed, Shape.of(dims));
    }

    /**
     * {@code count} distinct values, any two at least {@code spacing} apart, in random order, and
     * none closer than spacing/2 to zero: safe inputs for finite differences through max and relu,
     * whose derivatives jump where values tie or cross zero.
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

    public static Tensor wellSeparated(Backend backend, long seed, Shape shape, float spacing) {
        return backend.fromArray(shape, wellSeparated(seed, Math.toIntExact(shape.numel()), spacing));
    }
}
