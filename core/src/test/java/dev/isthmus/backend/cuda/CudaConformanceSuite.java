package dev.isthmus.backend.cuda;

import dev.isthmus.backend.AdamStep;
import dev.isthmus.backend.Backend;
import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.backend.CrossEntropy;
import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.compare.MaxPoolTies;
import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.compare.ComparisonReport;
import dev.isthmus.compare.OpCatalogue;
import dev.isthmus.compare.OpComparison;
import dev.isthmus.compare.Tolerance;
import dev.isthmus.compare.Tolerances;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.opentest4j.TestAbortedException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

import static dev.isthmus.testing.TensorAssert.assertBitIdentical;
import static dev.isthmus.testing.TensorAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The CUDA backend's conformance suite: every {@link Backend} op on random inputs of several shapes
 * (batch 1 and more, odd sizes, stride, padding, dilation, non-square kernels) compared with the
 * {@link ReferenceBackend}, a few training steps of each lesson model, moving models between backends,
 * memory accounting and the Java-side failure modes. Written once, run twice: on the CPU stand-in
 * libraries ({@link StandInCudaConformanceTest}, tag {@code standin}) and on a real GPU
 * ({@link GpuCudaConformanceTest}, tag {@code gpu}).
 *
 * <h2>Tolerances</h2>
 * |cuda − reference| ≤ abs + rel·|reference|, with
 * <ul>
 *   <li>{@link #EXACT}: data movement (upload, download, copy, concat, split, zeros), max pooling and
 *       ReLU, which select values without arithmetic: bit-identical or zero tolerance;</li>
 *   <li>{@link #ELEMENTWISE} 1e-6 abs + 1e-6 rel: one or a few float32 operations per element (add,
 *       average pooling, SGD, softmax gradient);</li>
 *   <li>{@link #REDUCTION} 1e-3 abs + 1e-3 rel: sums over up to a few hundred products (convolutions,
 *       GEMMs, bias gradients), where cuDNN's algorithms (implicit GEMM, FFT, Winograd) and cuBLAS sum
 *       in other orders than the reference; a wrong index or transpose gives errors of order 1;</li>
 *   <li>{@link #TRAINING} 1e-4 abs + 1e-3 rel for losses and parameters after three SGD steps with
 *       learning rate 0.1 (each step moves parameters by about 1e-2, so a wrong gradient shows), where
 *       the reduction differences above compound.</li>
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class CudaConformanceSuite {

    static final Tolerance EXACT = Tolerance.EXACT;
    static final Tolerance ELEMENTWISE = new Tolerance(1e-6, 1e-6);
    static final Tolerance REDUCTION = new Tolerance(1e-3, 1e-3);
    static final Tolerance TRAINING = new Tolerance(1e-4, 1e-3);

    protected CudaBackend cuda;
    protected ReferenceBackend reference;
    private final List<Tensor> opened = new ArrayList<>();

    /** Makes the CUDA libraries of this setting (stand-in or real) findable, or skips the class. */
    protected abstract void prepareLibraries();

    protected CudaOptions options() {
        return CudaOptions.defaults();
    }

    /** Why this setting cannot run here (no GPU), reported on every test as a skip; null when it can. */
    private String unavailable;

    @BeforeAll
    void openBackends() {
        try {
            prepareLibraries();
        } catch (TestAbortedException e) {
            unavailable = e.getMessage();
            return;
        }
        cuda = CudaBackend.open(options());
        reference = new ReferenceBackend();
    }

    @BeforeEach
    void skipWhereUnavailable() {
        assumeTrue(unavailable == null, unavailable);
    }

    @AfterAll
    void closeBackends() {
        if (cuda != null) cuda.close();
        if (reference != null) reference.close();
    }

    /** Every test closes what it made; the CUDA backend's live-bytes counter proves it. */
    @AfterEach
    void closeTensorsAndCheckNothingLeaked() {
        opened.forEach(Tensor::close);
        opened.clear();
        if (cuda != null && !cuda.isClosed()) {
            assertEquals(0, cuda.liveBytes(), "tensor bytes still live on the cuda backend after the test closed its tensors");
        }
    }

    /** Remembers a tensor to close after the test. */
    protected Tensor keep(Tensor tensor) {
        opened.add(tensor);
        return tensor;
    }

    /** The same host values on both backends: [reference, cuda]. */
    protected Tensor[] pair(Shape shape, float[] values) {
        return new Tensor[] {keep(reference.fromArray(shape, values)), keep(cuda.fromArray(shape, values))};
    }

    protected Tensor[] uniformPair(long seed, Shape shape) {
        return pair(shape, TestTensors.uniform(seed, Math.toIntExact(shape.numel())));
    }

    protected static void assertSame(String what, Tensor expected, Tensor actual, Tolerance tolerance) {
        assertEquals(expected.shape(), actual.shape(), what + ": shape");
        if (tolerance == EXACT) {
            assertBitIdentical(what, expected.toArray(), actual.toArray());
        } else {
            assertClose(what, expected.toArray(), actual.toArray(), tolerance.atol(), tolerance.rtol());
        }
    }

    // ================================================================ the op catalogue

    /** Every op of the one catalogue, forward and backward, within compare's default tolerances: a new op is covered here by its entry. */
    @ParameterizedTest
    @EnumSource(OpCatalogue.class)
    void everyCatalogueOpAgreesWithTheReference(OpCatalogue op) {
        ComparisonReport report = OpComparison.run(reference, cuda, op.example(), 7, Tolerances.defaults());
        assertTrue(report.passed(), () -> op.id() + ": " + report.firstMismatch().orElseThrow());
    }

    // ================================================================ memory

    @Test
    void uploadAndDownloadAreExact() {
        float[] values = TestTensors.uniform(1, 1000);
        values[3] = Float.NaN;
        values[4] = -0f;
        values[5] = Float.POSITIVE_INFINITY;
        Tensor t = keep(cuda.fromArray(Shape.of(10, 100), values));
        assertBitIdentical("round trip", values, t.toArray());
        assertEquals(Shape.of(10, 100).bytes(), cuda.liveBytes());
    }

    @Test
    void largeTransfersGoThroughInChunks() {
        int count = (int) (PinnedStaging.MAX_CHUNK / Float.BYTES * 2 + 123); // two full chunks and a tail
        float[] values = TestTensors.uniform(2, count);
        Tensor t = keep(cuda.fromArray(Shape.of(count), values));
        assertBitIdentical("chunked round trip", values, t.toArray());
        assertTrue(cuda.pinnedBytes() <= (PinnedStaging.UPLOAD_BUFFERS + 1) * PinnedStaging.MAX_CHUNK, "pinned buffers stay at most one chunk each");
    }

    @Test
    void zerosCopyAndViews() {
        Tensor z = keep(cuda.zeros(Shape.of(3, 5, 7)));
        assertBitIdentical("zeros", new float[105], z.toArray());
        float[] values = TestTensors.uniform(3, 105);
        Tensor source = keep(cuda.fromArray(Shape.of(105), values));
        cuda.copy(source, z);
        assertBitIdentical("copy", values, z.toArray());
        assertBitIdentical("view", values, z.view(Shape.of(15, 7)).toArray());
        assertThrows(IllegalArgumentException.class, () -> cuda.copy(source, keep(cuda.zeros(Shape.of(104)))));
    }

    // ================================================================ convolution

    record ConvCase(String name, int n, int c, int h, int w, int k, int r, int s, Conv2dSpec spec, boolean bias) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<ConvCase> convCases() {
        return Stream.of(
                new ConvCase("lesson conv1 1→10 k5, batch 2", 2, 1, 28, 28, 10, 5, 5, Conv2dSpec.defaults(), true),
                new ConvCase("lesson conv2 10→20 k5, batch 1", 1, 10, 12, 12, 20, 5, 5, Conv2dSpec.defaults(), true),
                new ConvCase("3x3 same padding, odd sizes", 3, 3, 7, 9, 4, 3, 3, Conv2dSpec.of(1, 1), true),
                new ConvCase("stride 2, no bias, batch 1", 1, 2, 9, 8, 3, 3, 3, Conv2dSpec.of(2, 0), false),
                new ConvCase("1x1 inception branch", 2, 16, 5, 5, 24, 1, 1, Conv2dSpec.defaults(), true),
                new ConvCase("dilation 2, stride 3, padding 2", 2, 3, 10, 11, 2, 3, 3, Conv2dSpec.of(3, 2, 2), true),
                new ConvCase("non-square kernel, per-axis stride/padding/dilation", 2, 4, 11, 10, 5, 3, 2,
                        new Conv2dSpec(2, 1, 1, 0, 2, 1), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("convCases")
    void conv2dForwardAndBackward(ConvCase c) {
        Shape inputShape = Shape.of(c.n(), c.c(), c.h(), c.w());
        Shape weightShape = Shape.of(c.k(), c.c(), c.r(), c.s());
        Tensor[] x = uniformPair(10, inputShape);
        Tensor[] w = uniformPair(11, weightShape);
        Tensor[] b = c.bias() ? uniformPair(12, Shape.of(c.k())) : new Tensor[2];
        Tensor expected = keep(reference.conv2d(x[0], w[0], b[0], c.spec()));
        Tensor actual = keep(cuda.conv2d(x[1], w[1], b[1], c.spec()));
        assertSame(c + ": forward", expected, actual, REDUCTION);

        Tensor[] dy = uniformPair(13, expected.shape());
        assertSame(c + ": backward input", keep(reference.conv2dBackwardInput(dy[0], w[0], inputShape, c.spec())),
                keep(cuda.conv2dBackwardInput(dy[1], w[1], inputShape, c.spec())), REDUCTION);
        assertSame(c + ": backward weight", keep(reference.conv2dBackwardWeight(x[0], dy[0], weightShape, c.spec())),
                keep(cuda.conv2dBackwardWeight(x[1], dy[1], weightShape, c.spec())), REDUCTION);
        assertSame(c + ": backward bias", keep(reference.conv2dBackwardBias(dy[0])), keep(cuda.conv2dBackwardBias(dy[1])), REDUCTION);
    }

    @Test
    void convolutionChoicesAndDescriptorsAreMadeOncePerShape() {
        ConvCase c = convCases().findFirst().orElseThrow();
        Shape inputShape = Shape.of(c.n(), c.c(), c.h(), c.w());
        Shape weightShape = Shape.of(c.k(), c.c(), c.r(), c.s());
        Tensor x = keep(cuda.fromArray(inputShape, TestTensors.uniform(20, (int) inputShape.numel())));
        Tensor w = keep(cuda.fromArray(weightShape, TestTensors.uniform(21, (int) weightShape.numel())));
        keep(cuda.conv2d(x, w, null, c.spec())).close();
        int choices = cuda.algorithmChoices();
        int descriptors = cuda.descriptorCount();
        for (int i = 0; i < 3; i++) {
            keep(cuda.conv2d(x, w, null, c.spec())).close();
        }
        assertEquals(choices, cuda.algorithmChoices(), "no new algorithm search for a shape already seen");
        assertTrue(cuda.convolutionAlgorithms().stream().anyMatch(line -> line.startsWith("conv2d forward input " + inputShape)),
                cuda.convolutionAlgorithms().toString());
        assertEquals(descriptors, cuda.descriptorCount(), "no new descriptors for shapes already seen");
    }

    @Test
    void conv2dRejectsMismatchedShapesWithTheirNames() {
        Tensor x = keep(cuda.zeros(Shape.of(1, 3, 8, 8)));
        Tensor w = keep(cuda.zeros(Shape.of(4, 2, 3, 3)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cuda.conv2d(x, w, null, Conv2dSpec.defaults()));
        assertTrue(e.getMessage().contains("conv2d") && e.getMessage().contains("[4, 2, 3, 3]"), e.getMessage());
    }

    // ================================================================ pooling

    record PoolCase(String name, Shape input, Pool2dSpec spec) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<PoolCase> poolCases() {
        return Stream.of(
                new PoolCase("lesson 2x2, batch 2", Shape.of(2, 10, 24, 24), Pool2dSpec.of(2)),
                new PoolCase("2x2 on odd size (floor), batch 1", Shape.of(1, 3, 7, 5), Pool2dSpec.of(2)),
                new PoolCase("inception 3x3 stride 1 padding 1", Shape.of(2, 4, 6, 7), Pool2dSpec.of(3, 1, 1)),
                new PoolCase("overlapping 3x3 stride 2 padding 1", Shape.of(3, 2, 9, 8), Pool2dSpec.of(3, 2, 1)),
                new PoolCase("non-square window", Shape.of(2, 3, 8, 9), new Pool2dSpec(3, 2, 2, 1, 1, 0)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("poolCases")
    void maxPoolForwardAndBackward(PoolCase c) {
        Tensor[] x = pair(c.input(), TestTensors.wellSeparated(30, (int) c.input().numel(), 0.01f));
        Tensor expected = keep(reference.maxPool2d(x[0], c.spec()));
        Tensor actual = keep(cuda.maxPool2d(x[1], c.spec()));
        assertSame(c + ": forward", expected, actual, EXACT);
        Tensor[] dy = uniformPair(31, expected.shape());
        assertSame(c + ": backward", keep(reference.maxPool2dBackward(x[0], expected, dy[0], c.spec())),
                keep(cuda.maxPool2dBackward(x[1], actual, dy[1], c.spec())), ELEMENTWISE);
    }

    /**
     * Windows full of equal values: the reference gives each output's gradient to the first maximum of its
     * window (PyTorch's rule); cuDNN documents only that it goes to one of them. So the gradients are
     * compared per group of tied maxima ({@link MaxPoolTies}); where cuDNN chose other maxima the test
     * passes and says so by name in a {@code [gpu] max-pool ties} line.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("poolCases")
    void maxPoolBackwardOnTiesGivesEachWindowsGradientToOneOfItsMaxima(PoolCase c) {
        float[] values = new float[(int) c.input().numel()];
        SplittableRandom random = new SplittableRandom(32);
        for (int i = 0; i < values.length; i++) values[i] = random.nextInt(3); // 0, 1 or 2: many ties
        Tensor[] x = pair(c.input(), values);
        Tensor expected = keep(reference.maxPool2d(x[0], c.spec()));
        Tensor actual = keep(cuda.maxPool2d(x[1], c.spec()));
        assertSame(c + ": forward with ties", expected, actual, EXACT);
        Tensor[] dy = uniformPair(33, expected.shape());
        float[] first = keep(reference.maxPool2dBackward(x[0], expected, dy[0], c.spec())).toArray();
        float[] routed = keep(cuda.maxPool2dBackward(x[1], actual, dy[1], c.spec())).toArray();
        MaxPoolTies ties = MaxPoolTies.of(c.input(), c.spec(), values);
        assertTrue(ties.tiedWindows() > 0, c + ": the case must have ties");
        assertClose(c + ": backward with ties, mass per group of tied maxima", ties.canonical(first), ties.canonical(routed),
                ELEMENTWISE.atol(), ELEMENTWISE.rtol());
        if (MaxPoolTies.differingPositions(first, routed) > 0) {
            System.out.println("[gpu] " + c + ": " + ties.describeRouting(first, routed));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("poolCases")
    void averagePoolForwardAndBackward(PoolCase c) {
        Tensor[] x = uniformPair(40, c.input());
        Tensor expected = keep(reference.avgPool2d(x[0], c.spec()));
        assertSame(c + ": forward", expected, keep(cuda.avgPool2d(x[1], c.spec())), ELEMENTWISE);
        Tensor[] dy = uniformPair(41, expected.shape());
        assertSame(c + ": backward", keep(reference.avgPool2dBackward(x[0], dy[0], c.spec())),
                keep(cuda.avgPool2dBackward(x[1], dy[1], c.spec())), ELEMENTWISE);
    }

    // ================================================================ activation

    @Test
    void reluForwardAndBackwardIncludingZeros() {
        Shape shape = Shape.of(2, 3, 5, 7);
        float[] values = TestTensors.uniform(50, (int) shape.numel());
        for (int i = 0; i < values.length; i += 7) values[i] = 0f; // the kink: gradient 0 where the output is 0
        Tensor[] x = pair(shape, values);
        Tensor expected = keep(reference.relu(x[0]));
        Tensor actual = keep(cuda.relu(x[1]));
        assertSame("relu forward", expected, actual, EXACT);
        Tensor[] dy = uniformPair(51, shape);
        assertSame("relu backward", keep(reference.reluBackward(expected, dy[0])), keep(cuda.reluBackward(actual, dy[1])), EXACT);
    }

    @Test
    void reluOnAMatrix() {
        Tensor[] x = uniformPair(52, Shape.of(3, 11));
        assertSame("relu [N, F]", keep(reference.relu(x[0])), keep(cuda.relu(x[1])), EXACT);
    }

    // ================================================================ linear

    record LinearCase(int batch, int in, int out, boolean bias) {
        @Override
        public String toString() {
            return "N=" + batch + " in=" + in + " out=" + out + (bias ? "" : " no bias");
        }
    }

    static Stream<LinearCase> linearCases() {
        return Stream.of(new LinearCase(3, 5, 2, true), new LinearCase(1, 320, 10, true), new LinearCase(7, 13, 11, false),
                new LinearCase(64, 1408, 10, true));
    }

    /** Non-square in every direction: a swapped transpose or leading dimension in the Sgemm mapping fails here. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("linearCases")
    void linearForwardAndBackward(LinearCase c) {
        Tensor[] x = uniformPair(60, Shape.of(c.batch(), c.in()));
        Tensor[] w = uniformPair(61, Shape.of(c.out(), c.in()));
        Tensor[] b = c.bias() ? uniformPair(62, Shape.of(c.out())) : new Tensor[2];
        Tensor expected = keep(reference.linear(x[0], w[0], b[0]));
        assertSame(c + ": forward", expected, keep(cuda.linear(x[1], w[1], b[1])), REDUCTION);
        Tensor[] dy = uniformPair(63, expected.shape());
        assertSame(c + ": backward input", keep(reference.linearBackwardInput(dy[0], w[0])), keep(cuda.linearBackwardInput(dy[1], w[1])), REDUCTION);
        assertSame(c + ": backward weight", keep(reference.linearBackwardWeight(x[0], dy[0])), keep(cuda.linearBackwardWeight(x[1], dy[1])), REDUCTION);
        assertSame(c + ": backward bias", keep(reference.linearBackwardBias(dy[0])), keep(cuda.linearBackwardBias(dy[1])), REDUCTION);
    }

    /** A hand-computed case: x = [[1, 2, 3]], W = [[1, 0, -1], [2, 1, 0]], b = [10, 20] → [[8, 24]]. */
    @Test
    void linearOnKnownValues() {
        Tensor x = keep(cuda.fromArray(Shape.of(1, 3), 1, 2, 3));
        Tensor w = keep(cuda.fromArray(Shape.of(2, 3), 1, 0, -1, 2, 1, 0));
        Tensor b = keep(cuda.fromArray(Shape.of(2), 10, 20));
        assertBitIdentical("x·Wᵀ + b", new float[] {8, 24}, keep(cuda.linear(x, w, b)).toArray());
        Tensor dy = keep(cuda.fromArray(Shape.of(1, 2), 1, 10));
        assertBitIdentical("dy·W", new float[] {21, 10, -1}, keep(cuda.linearBackwardInput(dy, w)).toArray());
        assertBitIdentical("dyᵀ·x", new float[] {1, 2, 3, 10, 20, 30}, keep(cuda.linearBackwardWeight(x, dy)).toArray());
    }

    // ================================================================ loss

    record LossCase(String name, int batch, int classes, float scale) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<LossCase> lossCases() {
        return Stream.of(new LossCase("N=4 C=10", 4, 10, 3f), new LossCase("N=1 C=3", 1, 3, 1f),
                new LossCase("large logits ±1000 (needs the max shift)", 5, 10, 1000f), new LossCase("N=64 C=10", 64, 10, 5f));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lossCases")
    void softmaxCrossEntropyLossAndGradient(LossCase c) {
        float[] logits = TestTensors.uniform(70, c.batch() * c.classes());
        for (int i = 0; i < logits.length; i++) logits[i] *= c.scale();
        int[] labels = new SplittableRandom(71).ints(c.batch(), 0, c.classes()).toArray();
        Tensor[] x = pair(Shape.of(c.batch(), c.classes()), logits);
        try (CrossEntropy expected = reference.softmaxCrossEntropy(x[0], labels);
             CrossEntropy actual = cuda.softmaxCrossEntropy(x[1], labels)) {
            assertClose(c + ": loss", new float[] {expected.loss()}, new float[] {actual.loss()}, 1e-5, 1e-5);
            assertSame(c + ": gradient", expected.gradLogits(), actual.gradLogits(), ELEMENTWISE);
        }
    }

    @Test
    void crossEntropyRejectsBadLabels() {
        Tensor logits = keep(cuda.zeros(Shape.of(2, 3)));
        assertThrows(IllegalArgumentException.class, () -> cuda.softmaxCrossEntropy(logits, new int[] {0, 3}));
        assertThrows(IllegalArgumentException.class, () -> cuda.softmaxCrossEntropy(logits, new int[] {0}));
    }

    // ================================================================ structure

    @Test
    void concatAndSplitChannels() {
        int[] channels = {1, 3, 2};
        for (int batch : new int[] {1, 2}) {
            List<Tensor> refs = new ArrayList<>();
            List<Tensor> cudas = new ArrayList<>();
            for (int i = 0; i < channels.length; i++) {
                Tensor[] part = uniformPair(80 + i, Shape.of(batch, channels[i], 4, 5));
                refs.add(part[0]);
                cudas.add(part[1]);
            }
            Tensor expected = keep(reference.concatChannels(refs));
            Tensor actual = keep(cuda.concatChannels(cudas));
            assertSame("concat, batch " + batch, expected, actual, EXACT);
            List<Tensor> split = cuda.splitChannels(actual, channels);
            split.forEach(this::keep);
            List<Tensor> expectedSplit = reference.splitChannels(expected, channels);
            expectedSplit.forEach(this::keep);
            for (int i = 0; i < channels.length; i++) {
                assertSame("split part " + i + ", batch " + batch, expectedSplit.get(i), split.get(i), EXACT);
                assertSame("split undoes concat, part " + i, refs.get(i), split.get(i), EXACT);
            }
        }
    }

    @Test
    void add() {
        for (Shape shape : List.of(Shape.of(2, 3, 4, 5), Shape.of(7, 11), Shape.of(13))) {
            Tensor[] a = uniformPair(90, shape);
            Tensor[] b = uniformPair(91, shape);
            assertSame("add " + shape, keep(reference.add(a[0], b[0])), keep(cuda.add(a[1], b[1])), ELEMENTWISE);
        }
    }

    // ================================================================ optimisation

    @Test
    void sgdMomentumStepsWithAndWithoutWeightDecayAndNesterov() {
        for (boolean nesterov : new boolean[] {false, true}) {
        for (float weightDecay : new float[] {0f, 1e-3f}) {
            Shape shape = Shape.of(10, 3, 5, 5);
            Tensor[] param = uniformPair(100, shape);
            Tensor[] buffer = pair(shape, new float[(int) shape.numel()]);
            for (int step = 0; step < 3; step++) {
                Tensor[] grad = uniformPair(101 + step, shape);
                reference.sgdMomentumStep(param[0], grad[0], buffer[0], 0.01f, 0.5f, weightDecay, nesterov);
                cuda.sgdMomentumStep(param[1], grad[1], buffer[1], 0.01f, 0.5f, weightDecay, nesterov);
            }
            assertSame("parameters, weight decay " + weightDecay + ", nesterov " + nesterov, param[0], param[1], ELEMENTWISE);
            assertSame("momentum buffer, weight decay " + weightDecay + ", nesterov " + nesterov, buffer[0], buffer[1], ELEMENTWISE);
        }
        }
    }

    /** The library route (OpTensor, SetTensor, cublasStbsv as the division) against the reference's PyTorch-order loop. */
    @Test
    void adamAndAdamWStepsWithAndWithoutWeightDecay() {
        for (boolean decoupled : new boolean[] {false, true}) {
        for (double weightDecay : new double[] {0, 0.05}) {
            Shape shape = Shape.of(10, 3, 5, 5);
            Tensor[] param = uniformPair(130, shape);
            Tensor[] expAvg = pair(shape, new float[(int) shape.numel()]);
            Tensor[] expAvgSq = pair(shape, new float[(int) shape.numel()]);
            for (int step = 1; step <= 3; step++) {
                Tensor[] grad = uniformPair(131 + step, shape);
                AdamStep settings = new AdamStep(1e-2 * step, 0.9, 0.999, 1e-8, weightDecay, step, decoupled);
                reference.adamStep(param[0], grad[0], expAvg[0], expAvgSq[0], settings);
                cuda.adamStep(param[1], grad[1], expAvg[1], expAvgSq[1], settings);
            }
            String what = (decoupled ? "AdamW" : "Adam") + ", weight decay " + weightDecay;
            assertSame(what + ": parameters", param[0], param[1], ELEMENTWISE);
            assertSame(what + ": exp_avg", expAvg[0], expAvg[1], ELEMENTWISE);
            assertSame(what + ": exp_avg_sq", expAvgSq[0], expAvgSq[1], ELEMENTWISE);
        }
        }
    }

    @Test
    void sumOfSquaresAndScalingForGradientClipping() {
        Shape shape = Shape.of(7, 3, 5, 5);
        Tensor[] x = uniformPair(120, shape);
        float expected = reference.sumOfSquares(x[0]);
        assertEquals(expected, cuda.sumOfSquares(x[1]), 1e-5 * expected, "sum of squares");
        reference.scaleInPlace(x[0], 0.37f);
        cuda.scaleInPlace(x[1], 0.37f);
        assertSame("scaled in place", x[0], x[1], ELEMENTWISE);
    }

    // ================================================================ models

    /**
     * A few SGD steps of each lesson model on both backends from the same initialisation and batches:
     * every gradient after the first step, the loss of every step and the parameters at the end.
     */
    @ParameterizedTest
    @EnumSource(Models.class)
    void trainingStepsMatchTheReference(Models kind) {
        SgdSettings settings = new SgdSettings(0.1f, 0.5f, 0f);
        try (Model expected = kind.create(reference, 5); Model actual = kind.create(cuda, 5);
             Sgd referenceSgd = new Sgd(settings); Sgd cudaSgd = new Sgd(settings)) {
            for (int step = 0; step < 3; step++) {
                Batch batch = randomBatch(200 + step, 4);
                float expectedLoss = TrainingStep.run(expected, referenceSgd, batch, step);
                float actualLoss = TrainingStep.run(actual, cudaSgd, batch, step);
                assertClose(kind + " loss at step " + step, new float[] {expectedLoss}, new float[] {actualLoss}, TRAINING.atol(), TRAINING.rtol());
                if (step == 0) {
                    for (Map.Entry<String, Parameter> entry : expected.stateDict().entrySet()) {
                        assertSame(kind + " gradient of " + entry.getKey() + " at step 0", entry.getValue().grad(),
                                actual.stateDict().get(entry.getKey()).grad(), REDUCTION);
                    }
                }
            }
            for (Map.Entry<String, Parameter> entry : expected.stateDict().entrySet()) {
                Parameter mine = actual.stateDict().get(entry.getKey());
                assertSame(kind + " " + entry.getKey() + " after 3 steps", entry.getValue().value(), mine.value(), TRAINING);
            }
        }
    }

    static Batch randomBatch(long seed, int size) {
        Shape shape = Shape.of(size, 1, 28, 28);
        int[] labels = new SplittableRandom(seed).ints(size, 0, 10).toArray();
        return new Batch(shape, TestTensors.uniform(seed, (int) shape.numel()), labels);
    }

    @Test
    void movingAModelBetweenBackendsKeepsItsValues() {
        try (Model model = Models.CNN.create(reference, 9)) {
            Map<String, float[]> before = new java.util.LinkedHashMap<>();
            model.stateDict().forEach((name, p) -> before.put(name, p.value().toArray()));
            Batch batch = randomBatch(300, 3);
            float[] expected;
            try (var scope = new dev.isthmus.nn.StepScope()) {
                expected = model.forward(scope.track(reference.fromArray(batch.shape(), batch.images())), scope).toArray();
            }
            model.to(cuda);
            assertEquals(cuda, model.backend());
            model.stateDict().forEach((name, p) -> assertEquals(cuda, p.value().backend(), name + " moved"));
            try (var scope = new dev.isthmus.nn.StepScope()) {
                float[] actual = model.forward(scope.track(cuda.fromArray(batch.shape(), batch.images())), scope).toArray();
                assertClose("CNN output after moving to cuda", expected, actual, REDUCTION.atol(), REDUCTION.rtol());
            }
            model.to(reference);
            assertEquals(0, cuda.liveBytes(), "moving back to the reference frees the device copies");
            model.stateDict().forEach((name, p) -> assertBitIdentical(name + " after a round trip", before.get(name), p.value().toArray()));
        }
    }

    @Test
    void liveBytesReturnToZeroAfterManySteps() {
        long mallocsAfterFirstSteps;
        try (Model model = Models.CNN.create(cuda, 3); Sgd sgd = new Sgd(SgdSettings.lesson())) {
            long parameterBytes = model.stateDict().values().stream().mapToLong(p -> p.shape().bytes()).sum();
            for (int step = 0; step < 2; step++) TrainingStep.run(model, sgd, randomBatch(400 + step, 8), step);
            mallocsAfterFirstSteps = cuda.mallocCalls();
            for (int step = 2; step < 12; step++) TrainingStep.run(model, sgd, randomBatch(400 + step, 8), step);
            // Live: parameters, their gradients and the momentum buffers; every activation went back to the pool.
            assertEquals(3 * parameterBytes, cuda.liveBytes());
            assertEquals(mallocsAfterFirstSteps, cuda.mallocCalls(), "after the first steps every block comes from the pool");
        }
        assertEquals(0, cuda.liveBytes());
        assertTrue(cuda.pooledBytes() > 0);
        cuda.trim();
        assertEquals(0, cuda.pooledBytes());
    }

    // ================================================================ failure modes

    @Test
    void tensorsOfAnotherBackendAreRejected() {
        Tensor foreign = keep(reference.zeros(Shape.of(2, 3)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cuda.relu(foreign));
        assertTrue(e.getMessage().contains("reference"), e.getMessage());
    }

    @Test
    void callsFromAnotherThreadThrowButClosingATensorThereIsAllowed() throws Exception {
        Tensor t = keep(cuda.zeros(Shape.of(4)));
        CompletableFuture<Throwable> call = CompletableFuture.supplyAsync(() -> {
            try {
                cuda.zeros(Shape.of(4));
                return null;
            } catch (Throwable e) {
                return e;
            }
        });
        Throwable thrown = call.get();
        assertInstanceOf(IllegalStateException.class, thrown);
        assertTrue(thrown.getMessage().contains("thread"), thrown.getMessage());
        try {
            CompletableFuture.runAsync(t::close).get();
        } catch (ExecutionException e) {
            throw new AssertionError("closing a tensor from another thread failed", e.getCause());
        }
        assertEquals(0, cuda.liveBytes());
    }

    @Test
    void useAfterCloseThrowsAndDoubleCloseIsHarmless() {
        CudaBackend other = CudaBackend.open(options());
        Tensor t = other.fromArray(Shape.of(3), 1, 2, 3);
        Tensor freedEarly = other.zeros(Shape.of(5));
        freedEarly.close();
        freedEarly.close(); // double close of a tensor
        assertThrows(IllegalStateException.class, freedEarly::toArray);
        // The same type and wording as the reference backend, naming the op and the argument.
        IllegalStateException closedInput = assertThrows(IllegalStateException.class, () -> other.relu(freedEarly));
        assertEquals("relu: input [5] is closed (its memory was freed); pass a live tensor", closedInput.getMessage());
        other.close();
        other.close(); // double close of the backend
        assertEquals(0, other.liveBytes(), "closing the backend frees every tensor");
        IllegalStateException e = assertThrows(IllegalStateException.class, t::toArray);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> other.zeros(Shape.of(1)));
        t.close(); // closing a tensor of a closed backend does nothing
        assertEquals(0, other.liveBytes());
    }
}
