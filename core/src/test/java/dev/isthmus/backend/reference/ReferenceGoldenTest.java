package dev.isthmus.backend.reference;

import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.backend.CrossEntropy;
import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;
import dev.isthmus.testing.TestTensors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.isthmus.testing.TensorAssert.assertClose;
import static dev.isthmus.testing.TensorAssert.rows;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Known answers: the lesson's printed PyTorch examples and small cases worked out by hand from
 * the op's formula (the working is in the comments). Expected values are literals, never
 * produced by running this code.
 */
class ReferenceGoldenTest {
    /** The lesson's 5×5 image. */
    private static final float[] IMAGE_5X5 = {
            3, 4, 6, 5, 7,
            2, 4, 6, 8, 2,
            1, 6, 7, 8, 4,
            9, 7, 4, 6, 2,
            3, 7, 5, 4, 1};
    /** The lesson's kernel: torch.Tensor([1, 2, …, 9]).view(1, 1, 3, 3). */
    private static final float[] KERNEL_1_TO_9 = {1, 2, 3, 4, 5, 6, 7, 8, 9};

    private final ReferenceBackend backend = new ReferenceBackend();

    @AfterEach
    void noLeaks() {
        assertEquals(0, backend.liveBytes(), "every tensor of the test was closed");
        backend.close();
    }

    private float[] conv5x5(Conv2dSpec spec, Shape expectedShape) {
        try (Tensor input = backend.fromArray(Shape.of(1, 1, 5, 5), IMAGE_5X5);
             Tensor kernel = backend.fromArray(Shape.of(1, 1, 3, 3), KERNEL_1_TO_9);
             Tensor output = backend.conv2d(input, kernel, null, spec)) {
            assertEquals(expectedShape, output.shape());
            return output.toArray();
        }
    }

    @Test
    void lessonConvShapes() {
        // input (1, 5, 100, 100), Conv2d(5, 10, kernel_size=3): output torch.Size([1, 10, 98, 98]), weight [10, 5, 3, 3].
        try (Tensor input = TestTensors.uniform(backend, 1, 1, 5, 100, 100);
             Tensor weight = TestTensors.uniform(backend, 2, 10, 5, 3, 3);
             Tensor bias = TestTensors.uniform(backend, 3, 10);
             Tensor output = backend.conv2d(input, weight, bias, Conv2dSpec.defaults())) {
            assertEquals(Shape.of(1, 10, 98, 98), output.shape());
            assertEquals("torch.Size([1, 10, 98, 98])", output.shape().toTorchString());
            assertEquals("torch.Size([10, 5, 3, 3])", weight.shape().toTorchString());
        }
    }

    @Test
    void lessonConvWithPadding() {
        // PyTorch prints tensor([[[[ 91., 168., 224., 215., 127.], …]]]). By hand, output (0, 0) sees the
        // padded window [0 0 0; 0 3 4; 0 2 4]: 5·3 + 6·4 + 8·2 + 9·4 = 15 + 24 + 16 + 36 = 91; output (1, 1)
        // sees [3 4 6; 2 4 6; 1 6 7]: 3 + 8 + 18 + 8 + 20 + 36 + 7 + 48 + 63 = 211.
        float[] expected = rows(
                new float[]{91, 168, 224, 215, 127},
                new float[]{114, 211, 295, 262, 149},
                new float[]{192, 259, 282, 214, 122},
                new float[]{194, 251, 253, 169, 86},
                new float[]{96, 112, 110, 68, 31});
        assertArrayEquals(expected, conv5x5(Conv2dSpec.of(1, 1), Shape.of(1, 1, 5, 5)));
    }

    @Test
    void lessonConvWithStride() {
        // Stride 2, no padding: windows at rows/cols 0 and 2 of the image, which are the padded
        // example's outputs (1, 1), (1, 3), (3, 1), (3, 3).
        assertArrayEquals(new float[]{211, 262, 251, 169}, conv5x5(Conv2dSpec.of(2, 0), Shape.of(1, 1, 2, 2)));
    }

    @Test
    void convWithDilation() {
        // Dilation 2, no padding: the effective kernel is 5×5 and reads image positions (2a, 2b):
        // 1·3 + 2·6 + 3·7 + 4·1 + 5·7 + 6·4 + 7·3 + 8·5 + 9·1 = 169.
        assertArrayEquals(new float[]{169}, conv5x5(Conv2dSpec.of(1, 0, 2), Shape.of(1, 1, 1, 1)));
        // Dilation 2, padding 1: output (0, 0) reads rows/cols −1, 1, 3, so only the four taps at
        // (1,1)=4, (1,3)=8, (3,1)=7, (3,3)=6 with weights 5, 6, 8, 9: 20 + 48 + 56 + 54 = 178.
        float[] expected = rows(
                new float[]{178, 163, 153},
                new float[]{193, 169, 159},
                new float[]{103, 88, 78});
        assertArrayEquals(expected, conv5x5(Conv2dSpec.of(1, 1, 2), Shape.of(1, 1, 3, 3)));
    }

    @Test
    void convAddsBiasPerOutputChannel() {
        // Two output channels: kernel 1..9 and all-ones, bias 0.5 and −1. Stride 2 outputs of the
        // ones kernel are window sums: (3+4+6+2+4+6+1+6+7) = 39, (6+5+7+6+8+2+7+8+4) = 53,
        // (1+6+7+9+7+4+3+7+5) = 49, (7+8+4+4+6+2+5+4+1) = 41.
        float[] kernels = new float[18];
        System.arraycopy(KERNEL_1_TO_9, 0, kernels, 0, 9);
        java.util.Arrays.fill(kernels, 9, 18, 1f);
        try (Tensor input = backend.fromArray(Shape.of(1, 1, 5, 5), IMAGE_5X5);
             Tensor weight = backend.fromArray(Shape.of(2, 1, 3, 3), kernels);
             Tensor bias = backend.fromArray(Shape.of(2), 0.5f, -1f);
             Tensor output = backend.conv2d(input, weight, bias, Conv2dSpec.of(2, 0))) {
            assertArrayEquals(new float[]{211.5f, 262.5f, 251.5f, 169.5f, 38, 52, 48, 40}, output.toArray());
        }
    }

    @Test
    void lessonMaxPool() {
        // MaxPool2d(kernel_size=2) of the lesson's 4×4 image: tensor([[[[4., 8.], [9., 8.]]]]).
        try (Tensor input = backend.fromArray(Shape.of(1, 1, 4, 4), 3, 4, 6, 5, 2, 4, 6, 8, 1, 6, 7, 8, 9, 7, 4, 6);
             Tensor output = backend.maxPool2d(input, Pool2dSpec.of(2))) {
            assertEquals(Shape.of(1, 1, 2, 2), output.shape());
            assertArrayEquals(new float[]{4, 8, 9, 8}, output.toArray());
        }
    }

    @Test
    void maxPoolBackwardRoutesToTheFirstMaximum() {
        // Windows of the lesson's image and their maxima: [3 4; 2 4] → the 4 at (0,1) (first of the tie
        // with (1,1)); [6 5; 6 8] → (1,3); [1 6; 9 7] → (3,0); [7 8; 4 6] → (2,3).
        float[] image = {3, 4, 6, 5, 2, 4, 6, 8, 1, 6, 7, 8, 9, 7, 4, 6};
        try (Tensor input = backend.fromArray(Shape.of(1, 1, 4, 4), image);
             Tensor output = backend.maxPool2d(input, Pool2dSpec.of(2));
             Tensor grad = backend.fromArray(Shape.of(1, 1, 2, 2), 1, 2, 3, 4);
             Tensor gradInput = backend.maxPool2dBackward(input, output, grad, Pool2dSpec.of(2))) {
            assertArrayEquals(new float[]{
                    0, 1, 0, 0,
                    0, 0, 0, 2,
                    0, 0, 0, 4,
                    3, 0, 0, 0}, gradInput.toArray());
        }
    }

    @Test
    void maxPoolPropagatesNaNLikePyTorch() {
        // PyTorch's CPU kernel: a value takes over if it is greater than the best so far or NaN. Window 1 is
        // [1 NaN; 3 NaN] → NaN, gradient to the last NaN (1,1); window 2 is [NaN 5; 2 1] → NaN, gradient to (0,2).
        float nan = Float.NaN;
        try (Tensor input = backend.fromArray(Shape.of(1, 1, 2, 4), 1, nan, nan, 5, 3, nan, 2, 1);
             Tensor output = backend.maxPool2d(input, Pool2dSpec.of(2));
             Tensor grad = backend.fromArray(Shape.of(1, 1, 1, 2), 10, 20);
             Tensor gradInput = backend.maxPool2dBackward(input, output, grad, Pool2dSpec.of(2))) {
            assertArrayEquals(new float[]{nan, nan}, output.toArray());
            assertArrayEquals(new float[]{0, 0, 20, 0, 0, 10, 0, 0}, gradInput.toArray());
        }
    }

    @Test
    void maxPoolWithPaddingAndOverlap() {
        // 3×3 image 1..9, kernel 3, stride 2, padding 1: windows centred on (0,0), (0,2), (2,0), (2,2);
        // padding is −∞, so each maximum is the largest real neighbour: 5, 6, 8, 9.
        try (Tensor input = backend.fromArray(Shape.of(1, 1, 3, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9);
             Tensor output = backend.maxPool2d(input, Pool2dSpec.of(3, 2, 1))) {
            assertArrayEquals(new float[]{5, 6, 8, 9}, output.toArray());
        }
        // All values negative: padding must not win with 0.
        try (Tensor input = backend.fromArray(Shape.of(1, 1, 2, 2), -4, -3, -2, -1);
             Tensor output = backend.maxPool2d(input, Pool2dSpec.of(2, 1, 1))) {
            assertArrayEquals(new float[]{-4, -3, -3, -2, -1, -1, -2, -1, -1}, output.toArray());
        }
    }

    @Test
    void avgPoolCountsPaddingInTheDivisor() {
        // 3×3 image 1..9, kernel 2, stride 2, padding 1 (count_include_pad=True, divisor 4 everywhere):
        // windows hold {1}, {2, 3}, {4, 7}, {5, 6, 8, 9} → 1/4, 5/4, 11/4, 28/4.
        try (Tensor input = backend.fromArray(Shape.of(1, 1, 3, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9);
             Tensor output = backend.avgPool2d(input, Pool2dSpec.of(2, 2, 1))) {
            assertEquals(Shape.of(1, 1, 2, 2), output.shape());
            assertArrayEquals(new float[]{0.25f, 1.25f, 2.75f, 7f}, output.toArray());
        }
        // Kernel 3, stride 1, padding 1, divisor 9: corner 1+2+4+5 = 12, edge (0,1) 1+2+3+4+5+6 = 21,
        // centre 45, and so on.
        try (Tensor input = backend.fromArray(Shape.of(1, 1, 3, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9);
             Tensor output = backend.avgPool2d(input, Pool2dSpec.of(3, 1, 1))) {
            float[] sums = {12, 21, 16, 27, 45, 33, 24, 39, 28};
            double[] expected = new double[9];
            for (int i = 0; i < 9; i++) expected[i] = sums[i] / 9.0;
            assertClose("avgPool2d k3 s1 p1", expected, output.toArray(), 1e-6, 1e-6);
        }
    }

    @Test
    void avgPoolBackwardSpreadsEvenly() {
        // Kernel 2, stride 2, padding 1 on 3×3: each output gradient g is shared as g/4 by the real
        // positions of its window: (0,0) gets 1/4; (0,1),(0,2) get 2/4; (1,0),(2,0) get 3/4; the rest 4/4.
        try (Tensor input = backend.fromArray(Shape.of(1, 1, 3, 3), new float[9]);
             Tensor grad = backend.fromArray(Shape.of(1, 1, 2, 2), 1, 2, 3, 4);
             Tensor gradInput = backend.avgPool2dBackward(input, grad, Pool2dSpec.of(2, 2, 1))) {
            assertArrayEquals(new float[]{0.25f, 0.5f, 0.5f, 0.75f, 1, 1, 0.75f, 1, 1}, gradInput.toArray());
        }
    }

    @Test
    void linearIsInputTimesWeightTransposedPlusBias() {
        // x = [[1, 2, 3], [4, 5, 6]], W = [[1, 0, −1], [2, 1, 0]], b = [0.5, −1]:
        // y[0] = [1 − 3 + 0.5, 2 + 2 − 1] = [−1.5, 3]; y[1] = [4 − 6 + 0.5, 8 + 5 − 1] = [−1.5, 12].
        try (Tensor x = backend.fromArray(Shape.of(2, 3), 1, 2, 3, 4, 5, 6);
             Tensor w = backend.fromArray(Shape.of(2, 3), 1, 0, -1, 2, 1, 0);
             Tensor b = backend.fromArray(Shape.of(2), 0.5f, -1);
             Tensor y = backend.linear(x, w, b);
             Tensor dy = backend.fromArray(Shape.of(2, 2), 1, 0, 0, 1);
             Tensor dx = backend.linearBackwardInput(dy, w);
             Tensor dw = backend.linearBackwardWeight(x, dy);
             Tensor db = backend.linearBackwardBias(dy)) {
            assertEquals(Shape.of(2, 2), y.shape());
            assertArrayEquals(new float[]{-1.5f, 3, -1.5f, 12}, y.toArray());
            // dy = identity: dx = dy·W = W; dW = dyᵀ·x = x; db = column sums of dy = [1, 1].
            assertArrayEquals(new float[]{1, 0, -1, 2, 1, 0}, dx.toArray());
            assertArrayEquals(new float[]{1, 2, 3, 4, 5, 6}, dw.toArray());
            assertArrayEquals(new float[]{1, 1}, db.toArray());
        }
    }

    @Test
    void crossEntropyOfTwoSamples() {
        // logits [1, 2, 3] twice, labels 2 and 0. log Σ exp = 3 + ln(e⁻² + e⁻¹ + 1) = 3 + ln 1.5032147 = 3.4076059;
        // losses 0.4076059 and 2.4076059, mean 1.4076059. softmax = [0.0900306, 0.2447285, 0.6652410];
        // gradient = (softmax − one-hot) / 2.
        try (Tensor logits = backend.fromArray(Shape.of(2, 3), 1, 2, 3, 1, 2, 3);
             CrossEntropy result = backend.softmaxCrossEntropy(logits, new int[]{2, 0})) {
            assertEquals(1.4076059f, result.loss(), 1e-6f);
            assertClose("gradLogits", new double[]{0.0450153, 0.1223642, -0.1673795, -0.4549847, 0.1223642, 0.3326205},
                    result.gradLogits().toArray(), 1e-6, 0);
        }
    }

    @Test
    void crossEntropyDoesNotOverflowOnLargeLogits() {
        // [1000, 1000], label 1: ln 2 = 0.6931472, gradient [0.5, −0.5]. [1000, 0], label 1: loss 1000
        // (e⁻¹⁰⁰⁰ underflows to 0), gradient [1, −1]; the mean over both is (0.6931472 + 1000) / 2.
        try (Tensor logits = backend.fromArray(Shape.of(2, 2), 1000, 1000, 1000, 0);
             CrossEntropy result = backend.softmaxCrossEntropy(logits, new int[]{1, 1})) {
            assertEquals(500.3465736f, result.loss(), 1e-4f);
            assertArrayEquals(new float[]{0.25f, -0.25f, 0.5f, -0.5f}, result.gradLogits().toArray(), 1e-7f);
        }
    }

    @Test
    void reluAndItsGradient() {
        try (Tensor x = backend.fromArray(Shape.of(5), -2, -0.5f, 0, 0.5f, 3);
             Tensor y = backend.relu(x);
             Tensor dy = backend.fromArray(Shape.of(5), 1, 2, 3, 4, 5);
             Tensor dx = backend.reluBackward(y, dy)) {
            assertArrayEquals(new float[]{0, 0, 0, 0.5f, 3}, y.toArray());
            assertArrayEquals(new float[]{0, 0, 0, 4, 5}, dx.toArray());
        }
    }

    @Test
    void concatAndSplitChannels() {
        // a [2, 1, 1, 2] and b [2, 2, 1, 2]: sample n of the result is a[n] followed by b[n].
        try (Tensor a = backend.fromArray(Shape.of(2, 1, 1, 2), 1, 2, 3, 4);
             Tensor b = backend.fromArray(Shape.of(2, 2, 1, 2), 10, 11, 12, 13, 20, 21, 22, 23);
             Tensor joined = backend.concatChannels(List.of(a, b))) {
            assertEquals(Shape.of(2, 3, 1, 2), joined.shape());
            assertArrayEquals(new float[]{1, 2, 10, 11, 12, 13, 3, 4, 20, 21, 22, 23}, joined.toArray());
            List<Tensor> parts = backend.splitChannels(joined, new int[]{1, 2});
            try (Tensor first = parts.get(0); Tensor second = parts.get(1)) {
                assertArrayEquals(a.toArray(), first.toArray());
                assertArrayEquals(b.toArray(), second.toArray());
                assertEquals(b.shape(), second.shape());
            }
        }
    }

    @Test
    void addIsElementwise() {
        try (Tensor a = backend.fromArray(Shape.of(2, 2), 1, 2, 3, 4);
             Tensor b = backend.fromArray(Shape.of(2, 2), 0.5f, -2, 0, 10);
             Tensor sum = backend.add(a, b)) {
            assertArrayEquals(new float[]{1.5f, 0, 3, 14}, sum.toArray());
        }
    }

    @Test
    void convBiasGradientSumsOverBatchAndPositions() {
        // dy [2, 2, 1, 2]: channel 0 holds 1, 2 (sample 0) and 3, 4 (sample 1) → 10; channel 1: 5+6+7+8 = 26.
        try (Tensor dy = backend.fromArray(Shape.of(2, 2, 1, 2), 1, 2, 5, 6, 3, 4, 7, 8);
             Tensor db = backend.conv2dBackwardBias(dy)) {
            assertArrayEquals(new float[]{10, 26}, db.toArray());
        }
    }

    @Test
    void sgdWithMomentumOverTwoSteps() {
        // torch.optim.SGD(lr=0.5, momentum=0.5, weight_decay=0.5), param [1, −2], grads [0.5, 1] then [0.25, −0.5].
        // Step 1: d = g + 0.5·p = [1, 0]; buf = d = [1, 0]; p = p − 0.5·buf = [0.5, −2].
        // Step 2: d = [0.25 + 0.25, −0.5 − 1] = [0.5, −1.5]; buf = 0.5·buf + d = [1, −1.5]; p = [0.5 − 0.5, −2 + 0.75] = [0, −1.25].
        // All values are dyadic, so float arithmetic is exact and the comparison can be too.
        try (Tensor param = backend.fromArray(Shape.of(2), 1, -2);
             Tensor buffer = backend.zeros(Shape.of(2));
             Tensor grad1 = backend.fromArray(Shape.of(2), 0.5f, 1);
             Tensor grad2 = backend.fromArray(Shape.of(2), 0.25f, -0.5f)) {
            backend.sgdMomentumStep(param, grad1, buffer, 0.5f, 0.5f, 0.5f);
            assertArrayEquals(new float[]{0.5f, -2}, param.toArray());
            assertArrayEquals(new float[]{1, 0}, buffer.toArray());
            backend.sgdMomentumStep(param, grad2, buffer, 0.5f, 0.5f, 0.5f);
            assertArrayEquals(new float[]{0, -1.25f}, param.toArray());
            assertArrayEquals(new float[]{1, -1.5f}, buffer.toArray());
        }
    }

    @Test
    void sgdWithNesterovMomentumAndWeightDecay() {
        // torch.optim.SGD(lr=0.5, momentum=0.5, weight_decay=0.5, nesterov=True), param [1, −2], grads [0.5, 1] then [0.25, −0.5].
        // Step 1: d = [1, 0]; buf = [1, 0]; p = p − 0.5·(d + 0.5·buf) = [1 − 0.75, −2] = [0.25, −2].
        // Step 2: d = [0.25 + 0.125, −0.5 − 1] = [0.375, −1.5]; buf = 0.5·buf + d = [0.875, −1.5];
        //         p = [0.25 − 0.5·(0.375 + 0.4375), −2 − 0.5·(−1.5 − 0.75)] = [−0.15625, −0.875]. Dyadic: exact.
        try (Tensor param = backend.fromArray(Shape.of(2), 1, -2);
             Tensor buffer = backend.zeros(Shape.of(2));
             Tensor grad1 = backend.fromArray(Shape.of(2), 0.5f, 1);
             Tensor grad2 = backend.fromArray(Shape.of(2), 0.25f, -0.5f)) {
            backend.sgdMomentumStep(param, grad1, buffer, 0.5f, 0.5f, 0.5f, true);
            assertArrayEquals(new float[]{0.25f, -2}, param.toArray());
            backend.sgdMomentumStep(param, grad2, buffer, 0.5f, 0.5f, 0.5f, true);
            assertArrayEquals(new float[]{-0.15625f, -0.875f}, param.toArray());
            assertArrayEquals(new float[]{0.875f, -1.5f}, buffer.toArray());
        }
    }

    @Test
    void sgdWithTheLessonsMomentum() {
        // lr 0.1, momentum 0.9, no weight decay, param 1, gradient 0.5 twice:
        // step 1: buf = 0.5, p = 1 − 0.05 = 0.95; step 2: buf = 0.9·0.5 + 0.5 = 0.95, p = 0.95 − 0.095 = 0.855.
        try (Tensor param = backend.fromArray(Shape.of(1), 1);
             Tensor buffer = backend.zeros(Shape.of(1));
             Tensor grad = backend.fromArray(Shape.of(1), 0.5f)) {
            backend.sgdMomentumStep(param, grad, buffer, 0.1f, 0.9f, 0f);
            assertEquals(0.95f, param.toArray()[0], 1e-6f);
            backend.sgdMomentumStep(param, grad, buffer, 0.1f, 0.9f, 0f);
            assertEquals(0.95f, buffer.toArray()[0], 1e-6f);
            assertEquals(0.855f, param.toArray()[0], 1e-6f);
        }
    }
}
