package dev.isthmus.backend.cpu;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.backend.Pool2dSpec;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static dev.isthmus.testing.TensorAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cpu backend (oneDNN) against the reference backend on this machine's CPU: every primitive it uses, forward
 * and backward, on the lesson networks' real shapes at batch 64 and on odd shapes, plus adjoint identities that
 * hold whatever the reference computes (a wrong backward-data kernel, as seen with another oneDNN on Zen 5, fails
 * them), and training steps of every lesson network. Tolerances as in the CUDA conformance suite: 1e-3 abs +
 * 1e-3 rel for sums of products (oneDNN sums in other orders), 1e-4 abs + 1e-3 rel after three SGD steps.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CpuConformanceTest {
    private CpuBackend cpu;
    private ReferenceBackend reference;
    private final List<Tensor> opened = new ArrayList<>();

    @BeforeAll
    void open() {
        cpu = CpuBackends.openOrSkip();
        reference = new ReferenceBackend();
    }

    @AfterAll
    void close() {
        if (cpu != null) cpu.close();
        if (reference != null) reference.close();
    }

    @AfterEach
    void closeTensors() {
        opened.forEach(Tensor::close);
        opened.clear();
        assertEquals(0, cpu.liveBytes(), "tensor bytes still live on the cpu backend");
    }

    record ConvCase(String name, int n, int c, int h, int w, int k, int r, int s, Conv2dSpec spec, boolean bias) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<ConvCase> convCases() {
        return Stream.of(
                new ConvCase("cnn conv1 1→10 k5, batch 64", 64, 1, 28, 28, 10, 5, 5, Conv2dSpec.defaults(), true),
                new ConvCase("cnn conv2 10→20 k5, batch 64", 64, 10, 12, 12, 20, 5, 5, Conv2dSpec.defaults(), true),
                new ConvCase("resnet conv1 1→16 k5, batch 64", 64, 1, 28, 28, 16, 5, 5, Conv2dSpec.defaults(), true),
                new ConvCase("resnet block 16→16 k3 p1 12x12, batch 64", 64, 16, 12, 12, 16, 3, 3, Conv2dSpec.of(1, 1), true),
                new ConvCase("resnet conv2 16→32 k5, batch 64", 64, 16, 12, 12, 32, 5, 5, Conv2dSpec.defaults(), true),
                new ConvCase("resnet block 32→32 k3 p1 4x4, batch 64", 64, 32, 4, 4, 32, 3, 3, Conv2dSpec.of(1, 1), true),
                new ConvCase("inception 1x1 10→16 12x12, batch 64", 64, 10, 12, 12, 16, 1, 1, Conv2dSpec.defaults(), true),
                new ConvCase("inception 5x5 16→24 p2 12x12, batch 64", 64, 16, 12, 12, 24, 5, 5, Conv2dSpec.of(1, 2), true),
                new ConvCase("inception 3x3 24→24 p1 4x4, batch 64", 64, 24, 4, 4, 24, 3, 3, Conv2dSpec.of(1, 1), true),
                new ConvCase("inception conv2 88→20 k5, batch 64", 64, 88, 12, 12, 20, 5, 5, Conv2dSpec.defaults(), true),
                new ConvCase("3x3 same padding, odd sizes", 3, 3, 7, 9, 4, 3, 3, Conv2dSpec.of(1, 1), true),
                new ConvCase("stride 2, no bias, batch 1", 1, 2, 9, 8, 3, 3, 3, Conv2dSpec.of(2, 0), false),
                new ConvCase("stride 2 that drops a row (negative right padding)", 2, 3, 10, 10, 5, 3, 3, Conv2dSpec.of(2, 0), true),
                new ConvCase("stride 2 padding 1, 17 channels", 5, 17, 13, 11, 7, 3, 3, Conv2dSpec.of(2, 1), true),
                new ConvCase("dilation 2, stride 3, padding 2", 2, 3, 10, 11, 2, 3, 3, Conv2dSpec.of(3, 2, 2), true),
                new ConvCase("non-square kernel, per-axis stride/padding", 2, 4, 11, 10, 5, 3, 2, new Conv2dSpec(2, 1, 1, 0, 1, 1), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("convCases")
    void convolutionMatchesTheReferenceForwardAndBackward(ConvCase c) {
        Shape inputShape = Shape.of(c.n(), c.c(), c.h(), c.w());
        Shape weightShape = Shape.of(c.k(), c.c(), c.r(), c.s());
        float[] x = TestTensors.uniform(10, (int) inputShape.numel());
        float[] w = TestTensors.uniform(11, (int) weightShape.numel());
        float[] b = c.bias() ? TestTensors.uniform(12, c.k()) : null;
        Tensor expected = keep(reference.conv2d(keep(reference.fromArray(inputShape, x)), keep(reference.fromArray(weightShape, w)),
                b == null ? null : keep(reference.fromArray(Shape.of(c.k()), b)), c.spec()));
        Tensor xCpu = keep(cpu.fromArray(inputShape, x)), wCpu = keep(cpu.fromArray(weightShape, w));
        Tensor actual = keep(cpu.conv2d(xCpu, wCpu, b == null ? null : keep(cpu.fromArray(Shape.of(c.k()), b)), c.spec()));
        assertClose(c + ": forward", expected.toArray(), actual.toArray(), 1e-3, 1e-3);

        float[] dy = TestTensors.uniform(13, (int) expected.numel());
        Tensor dyRef = keep(reference.fromArray(expected.shape(), dy)), dyCpu = keep(cpu.fromArray(expected.shape(), dy));
        Tensor dxCpu = keep(cpu.conv2dBackwardInput(dyCpu, wCpu, inputShape, c.spec()));
        Tensor dwCpu = keep(cpu.conv2dBackwardWeight(xCpu, dyCpu, weightShape, c.spec()));
        assertClose(c + ": backward input", keep(reference.conv2dBackwardInput(dyRef, keep(reference.fromArray(weightShape, w)), inputShape, c.spec())).toArray(),
                dxCpu.toArray(), 1e-3, 1e-3);
        assertClose(c + ": backward weight", keep(reference.conv2dBackwardWeight(keep(reference.fromArray(inputShape, x)), dyRef, weightShape, c.spec())).toArray(),
                dwCpu.toArray(), 1e-3, 1e-3);

        // Adjoints, on the cpu backend alone: <conv(x), dy> = <x, backwardInput(dy)> = <w, backwardWeight(x, dy)> (bias taken out).
        float[] y = actual.toArray();
        double withBias = dot(y, dy), biasPart = 0;
        if (b != null) {
            int plane = (int) (expected.numel() / c.n() / c.k());
            for (int i = 0; i < dy.length; i++) {
                biasPart += (double) b[(i / plane) % c.k()] * dy[i];
            }
        }
        double convDotDy = withBias - biasPart;
        double scale = Math.sqrt(dot(y, y) * dot(dy, dy)) + 1;
        assertEquals(convDotDy, dot(x, dxCpu.toArray()), 1e-5 * scale, c + ": <conv(x), dy> = <x, backwardInput(dy)>");
        assertEquals(convDotDy, dot(w, dwCpu.toArray()), 1e-5 * scale, c + ": <conv(x), dy> = <w, backwardWeight(x, dy)>");
    }

    @Test
    void theLessonShapesRunOnOneDnnSplitOverTheBatch() {
        Tensor x = keep(TestTensors.uniform(cpu, 1, 64, 10, 12, 12));
        Tensor w = keep(TestTensors.uniform(cpu, 2, 20, 10, 5, 5));
        keep(cpu.conv2d(x, w, null, Conv2dSpec.defaults()));
        int parts = Math.min(64, DnnlConvolutions.threads());
        String key = "FORWARD [" + 64 / parts + ", 10, 12, 12] * [20, 10, 5, 5]";
        assertTrue(cpu.convolutionImplementations().keySet().stream().anyMatch(k -> k.startsWith(key)), key + " not among the primitives made");
    }

    record LinearCase(int batch, int in, int out, boolean bias) {
    }

    static Stream<LinearCase> linearCases() {
        return Stream.of(new LinearCase(64, 320, 10, true), new LinearCase(64, 512, 10, true), new LinearCase(64, 1408, 10, true),
                new LinearCase(3, 5, 2, true), new LinearCase(7, 13, 11, false), new LinearCase(1, 1, 1, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("linearCases")
    void linearMatchesTheReference(LinearCase c) {
        float[] x = TestTensors.uniform(60, c.batch() * c.in()), w = TestTensors.uniform(61, c.out() * c.in());
        float[] b = c.bias() ? TestTensors.uniform(62, c.out()) : null, dy = TestTensors.uniform(63, c.batch() * c.out());
        Shape xs = Shape.of(c.batch(), c.in()), ws = Shape.of(c.out(), c.in()), ys = Shape.of(c.batch(), c.out());
        Tensor[] ref = {keep(reference.fromArray(xs, x)), keep(reference.fromArray(ws, w)), b == null ? null : keep(reference.fromArray(Shape.of(c.out()), b)),
                keep(reference.fromArray(ys, dy))};
        Tensor[] mine = {keep(cpu.fromArray(xs, x)), keep(cpu.fromArray(ws, w)), b == null ? null : keep(cpu.fromArray(Shape.of(c.out()), b)),
                keep(cpu.fromArray(ys, dy))};
        assertClose(c + ": forward", keep(reference.linear(ref[0], ref[1], ref[2])).toArray(), keep(cpu.linear(mine[0], mine[1], mine[2])).toArray(), 1e-3, 1e-3);
        assertClose(c + ": backward input", keep(reference.linearBackwardInput(ref[3], ref[1])).toArray(),
                keep(cpu.linearBackwardInput(mine[3], mine[1])).toArray(), 1e-3, 1e-3);
        assertClose(c + ": backward weight", keep(reference.linearBackwardWeight(ref[0], ref[3])).toArray(),
                keep(cpu.linearBackwardWeight(mine[0], mine[3])).toArray(), 1e-3, 1e-3);
    }

    /** Three SGD steps of each lesson network on both backends from the same start and batches. */
    @ParameterizedTest
    @EnumSource(Models.class)
    void trainingStepsMatchTheReference(Models kind) {
        SgdSettings settings = new SgdSettings(0.1f, 0.5f, 0f);
        try (Model expected = kind.create(reference, 5); Model actual = kind.create(cpu, 5);
             Sgd referenceSgd = new Sgd(settings); Sgd cpuSgd = new Sgd(settings)) {
            for (int step = 0; step < 3; step++) {
                Batch batch = randomBatch(200 + step, 8);
                float expectedLoss = TrainingStep.run(expected, referenceSgd, batch, step);
                float actualLoss = TrainingStep.run(actual, cpuSgd, batch, step);
                assertClose(kind + " loss at step " + step, new float[] {expectedLoss}, new float[] {actualLoss}, 1e-4, 1e-3);
            }
            for (Map.Entry<String, Parameter> entry : expected.stateDict().entrySet()) {
                assertClose(kind + " " + entry.getKey() + " after 3 steps", entry.getValue().value().toArray(),
                        actual.stateDict().get(entry.getKey()).value().toArray(), 1e-4, 1e-3);
            }
        }
    }

    private static Batch randomBatch(long seed, int size) {
        Shape shape = Shape.of(size, 1, 28, 28);
        int[] labels = new SplittableRandom(seed).ints(size, 0, 10).toArray();
        return new Batch(shape, TestTensors.uniform(seed, (int) shape.numel()), labels);
    }

    private static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (double) a[i] * b[i];
        }
        return sum;
    }

    private Tensor keep(Tensor tensor) {
        opened.add(tensor);
        return tensor;
    }

    // MaxPool2d(2) has the cpu backend's own kernel (MaxPool2x2): bit for bit against the reference, forward and
    // backward, on the lesson shapes and odd sizes (a last row and column no window covers; planes larger than its
    // copy block; blocks of many small planes), with ties, NaN, −0 and −∞ in the windows.

    /** Values from a few levels (so windows tie often) with NaN, −0, 0 and −∞ sprinkled in. */
    private static float[] awkward(long seed, int count) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[count];
        float[] specials = {Float.NaN, -0f, 0f, Float.NEGATIVE_INFINITY};
        for (int i = 0; i < count; i++) {
            values[i] = random.nextInt(50) == 0 ? specials[random.nextInt(specials.length)] : random.nextInt(7) - 3;
        }
        return values;
    }

    private static float[] pool(Backend backend, Shape shape, float[] x, float[] dy, boolean backward) {
        Pool2dSpec spec = Pool2dSpec.of(2);
        try (Tensor input = backend.fromArray(shape, x); Tensor output = backend.maxPool2d(input, spec)) {
            if (!backward) return backend.toArray(output);
            try (Tensor gradOutput = backend.fromArray(output.shape(), dy);
                 Tensor gradInput = backend.maxPool2dBackward(input, output, gradOutput, spec)) {
                return backend.toArray(gradInput);
            }
        }
    }

    @ParameterizedTest(name = "[{0}, {1}, {2}, {3}]")
    @CsvSource({"1, 1, 2, 2", "2, 3, 5, 7", "3, 2, 9, 4", "64, 10, 24, 24", "64, 20, 8, 8", "64, 16, 24, 24", "7, 11, 25, 23",
            "2, 3, 67, 71", "1, 2, 3, 2", "5, 300, 3, 3"})
    void maxPool2x2MatchesTheReferenceBitForBit(int n, int c, int h, int w) {
        Shape shape = Shape.of(n, c, h, w);
        float[] x = awkward(n * 1000L + h, Math.toIntExact(shape.numel()));
        int outputs = n * c * (h / 2) * (w / 2);
        float[] dy = awkward(w * 1000L + c, outputs);
        dy[0] = -0f;
        assertBitwiseEqual(pool(reference, shape, x, dy, false), pool(cpu, shape, x, dy, false));
        assertBitwiseEqual(pool(reference, shape, x, dy, true), pool(cpu, shape, x, dy, true));
    }

    private static void assertBitwiseEqual(float[] expected, float[] actual) {
        int[] e = new int[expected.length], a = new int[actual.length];
        for (int i = 0; i < expected.length; i++) e[i] = Float.floatToRawIntBits(expected[i]);
        for (int i = 0; i < actual.length; i++) a[i] = Float.floatToRawIntBits(actual[i]);
        assertArrayEquals(e, a);
    }
}
