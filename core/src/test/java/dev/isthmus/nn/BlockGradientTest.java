package dev.isthmus.nn;

import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Finite-difference checks of whole blocks through the Layer API: the channel concat inside an
 * Inception block (input gradient summed over four branches) and the skip connection of a
 * residual block (gradient through both the identity and the body).
 */
class BlockGradientTest {
    private static final double STEP = 2e-3;
    private final ReferenceBackend backend = new ReferenceBackend();

    @AfterEach
    void close() {
        backend.close();
    }

    @Test
    void inceptionBlockInputAndParameterGradients() {
        ChannelConcat block = Models.inceptionBlock(backend, 3);
        assertEquals(Shape.of(2, 88, 5, 5), block.outputShape(Shape.of(2, 3, 5, 5)));
        check(block, Shape.of(2, 3, 5, 5), "branch3x3_2.weight", "branch_pool.bias", "branch1x1.weight");
    }

    @Test
    void residualBlockInputAndParameterGradients() {
        check(Models.residualBlock(backend, 4), Shape.of(2, 4, 6, 6), "conv1.weight", "conv2.bias");
    }

    /** Loss = Σ output · r for a fixed random r; its gradient with respect to the output is r. */
    private void check(Layer block, Shape inputShape, String... parameterNames) {
        SplittableRandom random = new SplittableRandom(11);
        initialise(block, "", random);
        float[] x = randoms(random, inputShape.numel());
        Shape outputShape = block.outputShape(inputShape);
        float[] r = randoms(random, outputShape.numel());

        float[] analyticInput;
        try (StepScope scope = new StepScope()) {
            Tensor input = scope.track(backend.fromArray(inputShape, x));
            block.forward(input, scope);
            Tensor gradOutput = scope.track(backend.fromArray(outputShape, r));
            analyticInput = block.backward(gradOutput, scope).toArray();
        }
        int[] probes = random.ints(24, 0, x.length).toArray();
        double[] numeric = new double[probes.length];
        double[] analytic = new double[probes.length];
        for (int i = 0; i < probes.length; i++) {
            int k = probes[i];
            numeric[i] = centralDifference(value -> {
                float saved = x[k];
                x[k] = (float) value;
                double l = loss(block, inputShape, x, r);
                x[k] = saved;
                return l;
            }, x[k]);
            analytic[i] = analyticInput[k];
        }
        assertClose("input gradient", numeric, analytic);

        for (String name : parameterNames) {
            Parameter parameter = parameters(block).get(name);
            float[] analyticParam = parameter.grad().toArray();
            float[] values = parameter.value().toArray();
            int[] paramProbes = random.ints(12, 0, values.length).toArray();
            double[] num = new double[paramProbes.length];
            double[] ana = new double[paramProbes.length];
            for (int i = 0; i < paramProbes.length; i++) {
                int k = paramProbes[i];
                num[i] = centralDifference(value -> {
                    float saved = values[k];
                    values[k] = (float) value;
                    parameter.load(values);
                    double l = loss(block, inputShape, x, r);
                    values[k] = saved;
                    parameter.load(values);
                    return l;
                }, values[k]);
                ana[i] = analyticParam[k];
            }
            assertClose(name + " gradient", num, ana);
        }
    }

    /**
     * Central difference of f at x; NaN when the steps h and h/2 disagree, i.e. a ReLU kink lies
     * within the step, where finite differences say nothing about the gradient.
     */
    private static double centralDifference(java.util.function.DoubleUnaryOperator f, double x) {
        double wide = (f.applyAsDouble(x + STEP) - f.applyAsDouble(x - STEP)) / (2 * STEP);
        double narrow = (f.applyAsDouble(x + STEP / 2) - f.applyAsDouble(x - STEP / 2)) / STEP;
        return Math.abs(wide - narrow) > 1e-2 * (Math.abs(wide) + 1e-1) ? Double.NaN : wide;
    }

    private double loss(Layer block, Shape inputShape, float[] x, float[] r) {
        try (StepScope scope = new StepScope()) {
            float[] y = block.forward(scope.track(backend.fromArray(inputShape, x)), scope).toArray();
            double sum = 0;
            for (int i = 0; i < y.length; i++) sum += (double) y[i] * r[i];
            return sum;
        }
    }

    private static void assertClose(String what, double[] numeric, double[] analytic) {
        double diff = 0;
        double norm = 0;
        int used = 0;
        for (int i = 0; i < numeric.length; i++) {
            if (Double.isNaN(numeric[i])) continue;
            used++;
            diff += (numeric[i] - analytic[i]) * (numeric[i] - analytic[i]);
            norm += analytic[i] * analytic[i];
        }
        assertTrue(used >= numeric.length / 2, what + ": too many probes sit on a kink (" + used + " of " + numeric.length + " usable)");
        assertTrue(norm > 0, what + " is identically zero");
        double relative = Math.sqrt(diff / norm);
        assertTrue(relative < 2e-2, what + ": finite differences disagree, relative error " + relative);
    }

    private static java.util.Map<String, Parameter> parameters(Layer block) {
        java.util.Map<String, Parameter> all = new java.util.LinkedHashMap<>();
        collect("", block, all);
        return all;
    }

    private static void collect(String prefix, Layer layer, java.util.Map<String, Parameter> into) {
        layer.parameters().forEach((n, p) -> into.put(prefix + n, p));
        layer.children().forEach((n, c) -> collect(prefix + n + ".", c, into));
    }

    private static void initialise(Layer block, String prefix, SplittableRandom random) {
        for (Parameter p : parameters(block).values()) {
            p.load(randoms(random, p.shape().numel()));
        }
    }

    private static float[] randoms(SplittableRandom random, long n) {
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) v[i] = (float) (random.nextDouble() * 2 - 1);
        return v;
    }
}
