package dev.isthmus.testing;

import dev.isthmus.backend.Backend;
import dev.isthmus.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Checks an op's backward pass against central finite differences of its forward pass, on any
 * {@link Backend}.
 * <p>
 * For an op y = f(x₀, x₁, …) the checker fixes a random upstream gradient R of y's shape and the
 * scalar L = Σ_j y_j·R_j. The backward pass given R must return ∂L/∂x_k; the checker estimates
 * each entry as (L(x_k + h·e_i) − L(x_k − h·e_i)) / 2h, summing L in double precision, and
 * compares with |analytic − numeric| ≤ abs + rel·|numeric|. For ops linear in x_k the estimate
 * is exact up to float32 rounding of the few outputs that change, so the default tolerances are
 * tight; for kinked ops (max, relu) feed inputs from {@link TestTensors#wellSeparated} so no
 * perturbation crosses a kink.
 * <p>
 * The checker closes every tensor it creates and asserts the backend's {@link Backend#liveBytes()}
 * is back where it started, so each gradient check is also a leak check.
 */
public final class GradientCheck {
    /** The forward pass: a new tensor from the inputs (the checker closes it). */
    @FunctionalInterface
    public interface Forward {
        Tensor apply(Tensor[] inputs);
    }

    /** The backward pass for one input: ∂L/∂inputs[k] given the inputs, the forward output and ∂L/∂output. */
    @FunctionalInterface
    public interface Backward {
        Tensor apply(Tensor[] inputs, Tensor output, Tensor gradOutput);
    }

    /** A scalar objective of the inputs, for ops whose output is already a scalar (a loss). */
    @FunctionalInterface
    public interface Objective {
        double apply(Tensor[] inputs);
    }

    /** What one check measured: the largest errors and where the worst one was. */
    public record Result(String what, int elements, double maxAbsError, int worstIndex, double worstAnalytic, double worstNumeric) {
    }

    private final Backend backend;
    private final double step;
    private final double abs;
    private final double rel;

    /** Step 1e-2, tolerance 1e-3 absolute + 1e-2 relative: float32 ops on values of order one. */
    public GradientCheck(Backend backend) {
        this(backend, 1e-2, 1e-3, 1e-2);
    }

    public GradientCheck(Backend backend, double step, double abs, double rel) {
        this.backend = backend;
        this.step = step;
        this.abs = abs;
        this.rel = rel;
    }

    /**
     * Checks {@code backward}'s gradient with respect to {@code inputs[which]} for L = Σ forward(inputs) ⊙ R,
     * with R uniform in [-1, 1) from {@code seed}. The caller keeps ownership of {@code inputs}.
     */
    public Result check(String what, Tensor[] inputs, int which, Forward forward, Backward backward, long seed) {
        long liveBefore = backend.liveBytes();
        Result result;
        try (Tensor output = forward.apply(inputs);
             Tensor upstream = TestTensors.uniform(backend, seed, output.shape());
             Tensor analytic = backward.apply(inputs, output, upstream)) {
            assertEquals(inputs[which].shape(), analytic.shape(), what + ": gradient shape");
            float[] r = upstream.toArray();
            result = compare(what, inputs, which, analytic.toArray(), perturbed -> {
                try (Tensor y = forward.apply(perturbed)) {
                    return dot(y.toArray(), r);
                }
            });
        }
        assertEquals(liveBefore, backend.liveBytes(), what + ": tensor memory leaked by the op or its backward pass");
        return result;
    }

    /** Checks a given gradient of a scalar objective (a loss) with respect to {@code inputs[which]}. */
    public Result checkScalar(String what, Tensor[] inputs, int which, Objective objective, float[] analytic) {
        assertEquals(inputs[which].numel(), analytic.length, what + ": gradient size");
        long liveBefore = backend.liveBytes();
        Result result = compare(what, inputs, which, analytic, objective);
        assertEquals(liveBefore, backend.liveBytes(), what + ": tensor memory leaked by the objective");
        return result;
    }

    private Result compare(String what, Tensor[] inputs, int which, float[] analytic, Objective objective) {
        Tensor original = inputs[which];
        float[] values = original.toArray();
        double[] numeric = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            float saved = values[i];
            values[i] = (float) (saved + step);
            double plus = evaluate(inputs, which, values, objective);
            values[i] = (float) (saved - step);
            double minus = evaluate(inputs, which, values, objective);
            values[i] = saved;
            // The actual distance between the perturbed float32 values, not the nominal 2h.
            double distance = (double) (float) (saved + step) - (double) (float) (saved - step);
            numeric[i] = (plus - minus) / distance;
        }
        return report(what, original, analytic, numeric);
    }

    private double evaluate(Tensor[] inputs, int which, float[] values, Objective objective) {
        Tensor[] perturbed = inputs.clone();
        try (Tensor replaced = backend.fromArray(inputs[which].shape(), values)) {
            perturbed[which] = replaced;
            return objective.apply(perturbed);
        }
    }

    private Result report(String what, Tensor input, float[] analytic, double[] numeric) {
        int worst = 0;
        double worstExcess = -1;
        double maxAbsError = 0;
        List<Integer> failures = new ArrayList<>();
        for (int i = 0; i < numeric.length; i++) {
            double error = Math.abs(analytic[i] - numeric[i]);
            double tolerance = abs + rel * Math.abs(numeric[i]);
            maxAbsError = Math.max(maxAbsError, error);
            double excess = Double.isNaN(error) ? Double.POSITIVE_INFINITY : error / tolerance;
            if (excess > worstExcess) {
                worstExcess = excess;
                worst = i;
            }
            if (!(error <= tolerance)) failures.add(i);
        }
        if (!failures.isEmpty()) {
            fail(String.format("%s: gradient of %s wrong at %d of %d elements (tolerance abs %.2g + rel %.2g); worst index %d %s: analytic %.7g, numeric %.7g; failing indices %s",
                    what, input.shape(), failures.size(), numeric.length, abs, rel, worst, Arrays.toString(unravel(worst, input.shape().dims())),
                    analytic[worst], numeric[worst], failures.subList(0, Math.min(10, failures.size()))));
        }
        return new Result(what, numeric.length, maxAbsError, worst, numeric.length == 0 ? 0 : analytic[worst], numeric.length == 0 ? 0 : numeric[worst]);
    }

    private static double dot(float[] y, float[] r) {
        double sum = 0;
        for (int j = 0; j < y.length; j++) sum += (double) y[j] * r[j];
        return sum;
    }

    private static int[] unravel(int index, int[] dims) {
        int[] position = new int[dims.length];
        for (int axis = dims.length - 1; axis >= 0; axis--) {
            if (dims[axis] == 0) continue;
            position[axis] = index % dims[axis];
            index /= dims[axis];
        }
        return position;
    }
}
