package dev.isthmus.backend.vector;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Models;
import dev.isthmus.nn.Parameter;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;
import dev.isthmus.testing.TestTensors;
import dev.isthmus.train.Batch;
import dev.isthmus.train.Sgd;
import dev.isthmus.train.SgdSettings;
import dev.isthmus.train.TrainingStep;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static dev.isthmus.testing.TensorAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Vector API kernels (route (b) of issue #19) against the reference backend on this machine's CPU: convolution
 * forward, backward-data and backward-weight on every lesson network's layer shapes at batch 64 and on odd shapes
 * (planes that are no whole number of vectors, stride, padding, dilation, non-square kernels, batch 1), adjoint
 * identities that hold whatever the reference computes, the linear layers, and training steps of every lesson
 * network. Tolerances 1e-3 abs + 1e-3 rel for sums of products (the FMA kernels sum in other orders).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VectorConformanceTest {
    private VectorBackend vector;
    private ReferenceBackend reference;

    @BeforeAll
    void open() {
        vector = VectorBackend.open();
        reference = new ReferenceBackend();
    }

    @AfterAll
    void close() {
        assertEquals(0, vector.liveBytes(), "tensor bytes still live on the vector backend");
        vector.close();
        reference.close();
    }

    record Conv(String name, int n, int c, int h, int w, int k, int r, int s, Conv2dSpec spec, boolean bias) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Conv> convolutions() {
        Conv2dSpec plain = Conv2dSpec.defaults(), same3 = Conv2dSpec.of(1, 1);
        return Stream.of(
                new Conv("cnn.conv1 1→10 k5 28x28, b64", 64, 1, 28, 28, 10, 5, 5, plain, true),
                new Conv("cnn.conv2 10→20 k5 12x12, b64", 64, 10, 12, 12, 20, 5, 5, plain, true),
                new Conv("resnet.conv1 1→16 k5, b64", 64, 1, 28, 28, 16, 5, 5, plain, true),
                new Conv("resnet.conv2 16→32 k5 12x12, b64", 64, 16, 12, 12, 32, 5, 5, plain, true),
                new Conv("resnet block 16ch k3 p1 12x12, b64", 64, 16, 12, 12, 16, 3, 3, same3, true),
                new Conv("resnet block 32ch k3 p1 4x4, b64", 64, 32, 4, 4, 32, 3, 3, same3, true),
                new Conv("inception 1x1 20→24 4x4, b64", 64, 20, 4, 4, 24, 1, 1, plain, true),
                new Conv("inception 5x5 16→24 p2 12x12, b64", 64, 16, 12, 12, 24, 5, 5, Conv2dSpec.of(1, 2), true),
                new Conv("inception.conv2 88→20 k5 12x12, b64", 64, 88, 12, 12, 20, 5, 5, plain, true),
                new Conv("7x9 plane (63 positions), 3 channels, b3", 3, 3, 9, 11, 5, 3, 3, plain, true),
                new Conv("1x1 output plane, 7 output channels, b5", 5, 2, 3, 3, 7, 3, 3, plain, false),
                new Conv("stride 2 padding 1, 17 channels, b5", 5, 17, 13, 11, 7, 3, 3, Conv2dSpec.of(2, 1), true),
                new Conv("stride 2 dropping the last row, b2", 2, 3, 10, 10, 5, 3, 3, Conv2dSpec.of(2, 0), true),
                new Conv("dilation 2 stride 3 padding 2, b2", 2, 3, 10, 11, 2, 3, 3, Conv2dSpec.of(3, 2, 2), true),
                new Conv("non-square kernel, per-axis stride/padding, b2", 2, 4, 11, 10, 5, 3, 2, new Conv2dSpec(2, 1, 1, 0, 1, 1), true),
                new Conv("single image, 3 output channels, no bias", 1, 2, 9, 8, 3, 3, 3, same3, false),
                new Conv("odd batch 9 over 8 weight-gradient groups", 9, 6, 8, 8, 9, 5, 5, Conv2dSpec.of(1, 2), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("convolutions")
    void convolutionMatchesTheReferenceAndItsAdjoints(Conv c) {
        Shape xs = Shape.of(c.n(), c.c(), c.h(), c.w()), ws = Shape.of(c.k(), c.c(), c.r(), c.s());
        float[] x = TestTensors.uniform(20, (int) xs.numel()), w = TestTensors.uniform(21, (int) ws.numel());
        float[] b = c.bias() ? TestTensors.uniform(22, c.k()) : null;
        float[] expectedY = convolve(reference, xs, x, ws, w, b, c.spec()), y = convolve(vector, xs, x, ws, w, b, c.spec());
        assertClose(c + ": forward", expectedY, y, 1e-3, 1e-3);

        Shape ys = c.spec().outputShape(xs, ws);
        float[] dy = TestTensors.uniform(23, y.length);
        float[] dx = backwardData(vector, ys, dy, ws, w, xs, c.spec()), dw = backwardWeight(vector, xs, x, ys, dy, ws, c.spec());
        assertClose(c + ": backward data", backwardData(reference, ys, dy, ws, w, xs, c.spec()), dx, 1e-3, 1e-3);
        assertClose(c + ": backward weight", backwardWeight(reference, xs, x, ys, dy, ws, c.spec()), dw, 1e-3, 1e-3);

        // On the vector backend alone: <conv(x), dy> = <x, backwardData(dy)> = <w, backwardWeight(x, dy)>, bias taken out.
        double convDotDy = dot(y, dy);
        int plane = ys.dim(2) * ys.dim(3);
        for (int i = 0; b != null && i < dy.length; i++) convDotDy -= (double) b[(i / plane) % c.k()] * dy[i];
        double tolerance = 1e-5 * (Math.sqrt(dot(y, y) * dot(dy, dy)) + 1);
        assertEquals(convDotDy, dot(x, dx), tolerance, c + ": <conv(x), dy> = <x, backwardData(dy)>");
        assertEquals(convDotDy, dot(w, dw), tolerance, c + ": <conv(x), dy> = <w, backwardWeight(x, dy)>");
    }

    @Test
    void weightGradientBitsDoNotDependOnTheThreadsThatRanIt() throws Exception {
        Shape xs = Shape.of(64, 10, 12, 12), ws = Shape.of(20, 10, 5, 5), ys = Shape.of(64, 20, 8, 8);
        float[] x = TestTensors.uniform(30, (int) xs.numel()), dy = TestTensors.uniform(31, (int) ys.numel());
        float[] parallel = backwardWeight(vector, xs, x, ys, dy, ws, Conv2dSpec.defaults());
        // From a thread of a one-thread pool, nested parallel streams run on that pool alone.
        try (var single = new java.util.concurrent.ForkJoinPool(1)) {
            float[] serial = single.submit(() -> backwardWeight(vector, xs, x, ys, dy, ws, Conv2dSpec.defaults())).get();
            assertTrue(java.util.Arrays.equals(parallel, serial), "weight gradient differs between thread counts");
        }
    }

    @ParameterizedTest(name = "batch {0}, {1} → {2}, bias {3}")
    @CsvSource({"64, 320, 10, true", "64, 512, 10, true", "64, 1408, 10, true", "3, 5, 2, true", "7, 13, 11, false",
            "1, 1, 1, true", "256, 1024, 1024, true"})
    void linearMatchesTheReference(int batch, int in, int out, boolean bias) {
        float[] x = TestTensors.uniform(40, batch * in), w = TestTensors.uniform(41, out * in);
        float[] b = bias ? TestTensors.uniform(42, out) : null, dy = TestTensors.uniform(43, batch * out);
        Shape xs = Shape.of(batch, in), ws = Shape.of(out, in), ys = Shape.of(batch, out);
        for (int pass = 0; pass < 3; pass++) {
            assertClose("linear pass " + pass, linear(reference, pass, xs, x, ws, w, b, ys, dy), linear(vector, pass, xs, x, ws, w, b, ys, dy),
                    1e-3, 1e-3);
        }
    }

    /** Three SGD steps of each lesson network on both backends from the same start and batches. */
    @ParameterizedTest
    @EnumSource(Models.class)
    void trainingStepsMatchTheReference(Models kind) {
        SgdSettings settings = new SgdSettings(0.1f, 0.5f, 0f);
        try (Model expected = kind.create(reference, 5); Model actual = kind.create(vector, 5);
             Sgd referenceSgd = new Sgd(settings); Sgd vectorSgd = new Sgd(settings)) {
            for (int step = 0; step < 3; step++) {
                Shape shape = Shape.of(8, 1, 28, 28);
                Batch batch = new Batch(shape, TestTensors.uniform(300 + step, (int) shape.numel()),
                        new SplittableRandom(step).ints(8, 0, 10).toArray());
                assertClose(kind + " loss at step " + step, new float[] {TrainingStep.run(expected, referenceSgd, batch, step)},
                        new float[] {TrainingStep.run(actual, vectorSgd, batch, step)}, 1e-4, 1e-3);
            }
            for (Map.Entry<String, Parameter> entry : expected.stateDict().entrySet()) {
                assertClose(kind + " " + entry.getKey() + " after 3 steps", entry.getValue().value().toArray(),
                        actual.stateDict().get(entry.getKey()).value().toArray(), 1e-4, 1e-3);
            }
        }
    }

    private static float[] convolve(Backend be, Shape xs, float[] x, Shape ws, float[] w, float[] b, Conv2dSpec spec) {
        try (Tensor input = be.fromArray(xs, x); Tensor weight = be.fromArray(ws, w);
             Tensor bias = b == null ? null : be.fromArray(Shape.of(b.length), b); Tensor y = be.conv2d(input, weight, bias, spec)) {
            return y.toArray();
        }
    }

    private static float[] backwardData(Backend be, Shape ys, float[] dy, Shape ws, float[] w, Shape xs, Conv2dSpec spec) {
        try (Tensor gradOutput = be.fromArray(ys, dy); Tensor weight = be.fromArray(ws, w);
             Tensor dx = be.conv2dBackwardInput(gradOutput, weight, xs, spec)) {
            return dx.toArray();
        }
    }

    private static float[] backwardWeight(Backend be, Shape xs, float[] x, Shape ys, float[] dy, Shape ws, Conv2dSpec spec) {
        try (Tensor input = be.fromArray(xs, x); Tensor gradOutput = be.fromArray(ys, dy);
             Tensor dw = be.conv2dBackwardWeight(input, gradOutput, ws, spec)) {
            return dw.toArray();
        }
    }

    /** Pass 0: forward; 1: backward input; 2: backward weight. */
    private static float[] linear(Backend be, int pass, Shape xs, float[] x, Shape ws, float[] w, float[] b, Shape ys, float[] dy) {
        try (Tensor input = be.fromArray(xs, x); Tensor weight = be.fromArray(ws, w); Tensor gradOutput = be.fromArray(ys, dy);
             Tensor bias = b == null ? null : be.fromArray(Shape.of(b.length), b);
             Tensor result = switch (pass) {
                 case 0 -> be.linear(input, weight, bias);
                 case 1 -> be.linearBackwardInput(gradOutput, weight);
                 default -> be.linearBackwardWeight(input, gradOutput);
             }) {
            return result.toArray();
        }
    }

    private static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) sum += (double) a[i] * b[i];
        return sum;
    }
}
