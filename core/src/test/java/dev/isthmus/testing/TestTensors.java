package dev.isthmus.testing;

import dev.isthmus.backend.Backend;
import dev.isthmus.compare.CaseInputs;
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

    /** {@link CaseInputs#wellSeparated(long, int, float)}: safe inputs for finite differences through max and relu. */
    public static float[] wellSeparated(long seed, int count, float spacing) {
        return CaseInputs.wellSeparated(seed, count, spacing);
    }

    public static Tensor wellSeparated(Backend backend, long seed, Shape shape, float spacing) {
        return CaseInputs.wellSeparated(backend, seed, shape, spacing);
    }
}
