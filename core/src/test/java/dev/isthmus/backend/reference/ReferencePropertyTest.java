package dev.isthmus.backend.reference;

import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;
import dev.isthmus.testing.DirectFormulas;
import dev.isthmus.testing.TestTensors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.isthmus.testing.TensorAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shape rules and values over hundreds of random geometries: every valid one must give
 * PyTorch's output size and the direct formula's values, every invalid one an
 * {@link IllegalArgumentException} naming the op.
 */
class ReferencePropertyTest {
    private final ReferenceBackend backend = new ReferenceBackend();

    @AfterEach
    void noLeaks() {
        assertEquals(0, backend.liveBytes(), "every tensor was closed, including results of failed ops");
        backend.close();
    }

    @Test
    void convolutionOverRandomGeometries() {
        SplittableRandom random = new SplittableRandom(20240909);
        int valid = 0, invalid = 0;
        for (int trial = 0; trial < 400; trial++) {
            int n = random.nextInt(1, 4), c = random.nextInt(1, 5), h = random.nextInt(1, 12), w = random.nextInt(1, 12);
            int k = random.nextInt(1, 5), r = random.nextInt(1, 6), s = random.nextInt(1, 6);
            Conv2dSpec spec = new Conv2dSpec(random.nextInt(1, 4), random.nextInt(1, 4), random.nextInt(0, 3), random.nextInt(0, 3),
                    random.nextInt(1, 4), random.nextInt(1, 4));
            boolean withBias = random.nextBoolean();
            String description = "trial " + trial + ": input [" + n + ", " + c + ", " + h + ", " + w + "], weight [" + k + ", " + c + ", " + r + ", " + s + "], " + spec;
            int p = DirectFormulas.convOutputSize(h, r, spec.strideH(), spec.padH(), spec.dilationH());
            int q = DirectFormulas.convOutputSize(w, s, spec.strideW(), spec.padW(), spec.dilationW());
            float[] x = TestTensors.uniform(trial, n * c * h * w);
            float[] weights = TestTensors.uniform(trial + 10_000, k * c * r * s);
            float[] biases = withBias ? TestTensors.uniform(trial + 20_000, k) : null;
            try (Tensor input = backend.fromArray(Shape.of(n, c, h, w), x);
                 Tensor weight = backend.fromArray(Shape.of(k, c, r, s), weights);
                 Tensor bias = withBias ? backend.fromArray(Shape.of(k), biases) : null) {
                if (p < 1 || q < 1) {
                    invalid++;
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> backend.conv2d(input, weight, bias, spec), description);
                    assertTrue(e.getMessage().startsWith("conv2d:"), e.getMessage());
                    assertTrue(e.getMessage().contains(input.shape().toString()), e.getMessage());
                    continue;
                }
                valid++;
                try (Tensor output = backend.conv2d(input, weight, bias, spec)) {
                    assertEquals(Shape.of(n, k, p, q), output.shape(), description);
                    assertClose(description, DirectFormulas.conv2d(x, n, c, h, w, weights, k, r, s, biases, spec), output.toArray(), 1e-5, 1e-5);
                    float[] dyValues = TestTensors.uniform(trial + 30_000, n * k * p * q);
                    try (Tensor dy = backend.fromArray(output.shape(), dyValues);
                         Tensor gradInput = backend.conv2dBackwardInput(dy, weight, input.shape(), spec);
                         Tensor gradWeight = backend.conv2dBackwardWeight(input, dy, weight.shape(), spec);
                         Tensor gradBias = backend.conv2dBackwardBias(dy)) {
                        assertEquals(input.shape(), gradInput.shape(), description);
                        assertEquals(weight.shape(), gradWeight.shape(), description);
                        assertEquals(Shape.of(k), gradBias.shape(), description);
                        assertClose("input gradient, " + description, DirectFormulas.conv2dInputGradient(dyValues, n, k, weights, c, r, s, h, w, spec),
                                gradInput.toArray(), 1e-5, 1e-5);
                        assertClose("weight gradient, " + description, DirectFormulas.conv2dWeightGradient(x, n, c, h, w, dyValues, k, r, s, spec),
                                gradWeight.toArray(), 1e-5, 1e-5);
                    }
                }
            }
        }
        assertTrue(valid > 100 && invalid > 20, "both kinds of geometry were drawn: " + valid + " valid, " + invalid + " invalid");
    }

    @Test
    void poolingOverRandomGeometries() {
        SplittableRandom random = new SplittableRandom(42);
        int valid = 0, invalid = 0;
        for (int trial = 0; trial < 400; trial++) {
            int n = random.nextInt(1, 3), c = random.nextInt(1, 4), h = random.nextInt(1, 10), w = random.nextInt(1, 10);
            int kh = random.nextInt(1, 5), kw = random.nextInt(1, 5);
            Pool2dSpec spec = new Pool2dSpec(kh, kw, random.nextInt(1, 4), random.nextInt(1, 4), random.nextInt(0, kh / 2 + 1), random.nextInt(0, kw / 2 + 1));
            String description = "trial " + trial + ": input [" + n + ", " + c + ", " + h + ", " + w + "], " + spec;
            int p = DirectFormulas.poolOutputSize(h, kh, spec.strideH(), spec.padH());
            int q = DirectFormulas.poolOutputSize(w, kw, spec.strideW(), spec.padW());
            float[] x = TestTensors.uniform(trial, n * c * h * w);
            try (Tensor input = backend.fromArray(Shape.of(n, c, h, w), x)) {
                if (kh > h + 2 * spec.padH() || kw > w + 2 * spec.padW()) {
                    invalid++;
                    for (String op : new String[]{"maxPool2d", "avgPool2d"}) {
                        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                                () -> (op.equals("maxPool2d") ? backend.maxPool2d(input, spec) : backend.avgPool2d(input, spec)).close(), description);
                        assertTrue(e.getMessage().startsWith(op + ":"), e.getMessage());
                    }
                    continue;
                }
                valid++;
                try (Tensor max = backend.maxPool2d(input, spec);
                     Tensor avg = backend.avgPool2d(input, spec);
                     Tensor maxGrad = backend.maxPool2dBackward(input, max, max, spec);
                     Tensor avgGrad = backend.avgPool2dBackward(input, avg, spec)) {
                    assertEquals(Shape.of(n, c, p, q), max.shape(), description);
                    assertEquals(Shape.of(n, c, p, q), avg.shape(), description);
                    assertClose("max " + description, DirectFormulas.maxPool2d(x, n, c, h, w, spec), max.toArray(), 0, 0);
                    assertClose("avg " + description, DirectFormulas.avgPool2d(x, n, c, h, w, spec), avg.toArray(), 1e-6, 1e-6);
                    assertEquals(input.shape(), maxGrad.shape());
                    assertEquals(input.shape(), avgGrad.shape());
                }
            }
        }
        assertTrue(valid > 100 && invalid > 20, "both kinds of geometry were drawn: " + valid + " valid, " + invalid + " invalid");
    }

    @Test
    void linearOverRandomSizes() {
        SplittableRandom random = new SplittableRandom(7);
        for (int trial = 0; trial < 100; trial++) {
            int batch = random.nextInt(1, 9), in = random.nextInt(1, 40), out = random.nextInt(1, 12);
            float[] x = TestTensors.uniform(trial, batch * in);
            float[] w = TestTensors.uniform(trial + 1000, out * in);
            float[] b = TestTensors.uniform(trial + 2000, out);
            double[] expected = new double[batch * out];
            for (int n = 0; n < batch; n++) {
                for (int o = 0; o < out; o++) {
                    double sum = b[o];
                    for (int i = 0; i < in; i++) sum += (double) x[n * in + i] * w[o * in + i];
                    expected[n * out + o] = sum;
                }
            }
            try (Tensor input = backend.fromArray(Shape.of(batch, in), x);
                 Tensor weight = backend.fromArray(Shape.of(out, in), w);
                 Tensor bias = backend.fromArray(Shape.of(out), b);
                 Tensor y = backend.linear(input, weight, bias)) {
                assertEquals(Shape.of(batch, out), y.shape());
                assertClose("linear trial " + trial, expected, y.toArray(), 1e-5, 1e-5);
            }
        }
    }
}
