package dev.isthmus.testing;

import dev.isthmus.backend.AdamStep;
import dev.isthmus.backend.Backend;
import dev.isthmus.backend.BatchNormGradients;
import dev.isthmus.backend.BatchNormOutput;
import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.backend.CrossEntropy;
import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.compare.BeyondLessonOpCases;
import dev.isthmus.compare.OpCase;
import dev.isthmus.compare.OpCatalogue;
import dev.isthmus.compare.OptimizerOpCases;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Finite-difference checks of every op's backward pass, for any backend: a backend's test class
 * extends this and says how to open the backend (and, if its arithmetic is looser, which
 * {@link GradientCheck} tolerances to use). Shapes are small and odd-sized, and cover stride > 1,
 * padding > 0, dilation > 1, unequal height/width settings and batch 1 as well as batch > 1.
 */
public abstract class BackendGradientSuite {
    protected Backend backend;
    private GradientCheck check;

    /** A fresh backend for one test; closed after it. */
    protected abstract Backend openBackend();

    /** The checker to use; override to change step or tolerances. */
    protected GradientCheck gradientCheck(Backend backend) {
        return new GradientCheck(backend);
    }

    @BeforeEach
    void open() {
        backend = openBackend();
        check = gradientCheck(backend);
    }

    @AfterEach
    void close() {
        backend.close();
    }

    /** One convolution geometry: input [n, c, h, w], weight [k, c, r, s]. */
    record ConvCase(String name, int n, int c, int h, int w, int k, int r, int s, Conv2dSpec spec) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<ConvCase> convCases() {
        return Stream.of(
                new ConvCase("plain 3x2 kernel", 2, 3, 7, 6, 4, 3, 2, Conv2dSpec.defaults()),
                new ConvCase("stride 2 padding 1", 2, 2, 7, 7, 3, 3, 3, Conv2dSpec.of(2, 1)),
                new ConvCase("batch 1, dilation 2, padding 2", 1, 2, 9, 8, 2, 3, 3, Conv2dSpec.of(1, 2, 2)),
                new ConvCase("per-axis stride 2x1 padding 1x0 dilation 1x2", 3, 1, 5, 6, 2, 2, 2, new Conv2dSpec(2, 1, 1, 0, 1, 2)),
                new ConvCase("1x1 kernel stride 3", 2, 4, 5, 5, 3, 1, 1, Conv2dSpec.of(3, 0)),
                new ConvCase("long weight rows (c·r·s = 72)", 2, 8, 5, 4, 2, 3, 3, Conv2dSpec.of(1, 1)));
    }

    private Tensor[] convInputs(ConvCase c, long seed) {
        return new Tensor[]{
                TestTensors.uniform(backend, seed, c.n(), c.c(), c.h(), c.w()),
                TestTensors.uniform(backend, seed + 1, c.k(), c.c(), c.r(), c.s()),
                TestTensors.uniform(backend, seed + 2, c.k())};
    }

    private Tensor conv(Tensor[] in, ConvCase c) {
        return backend.conv2d(in[0], in[1], in[2], c.spec());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("convCases")
    void conv2dInputGradient(ConvCase c) {
        Tensor[] in = convInputs(c, 100);
        try {
            check.check("conv2d input, " + c, in, 0, x -> conv(x, c),
                    (x, y, dy) -> backend.conv2dBackwardInput(dy, x[1], x[0].shape(), c.spec()), 7);
        } finally {
            closeAll(in);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("convCases")
    void conv2dWeightGradient(ConvCase c) {
        Tensor[] in = convInputs(c, 200);
        try {
            check.check("conv2d weight, " + c, in, 1, x -> conv(x, c),
                    (x, y, dy) -> backend.conv2dBackwardWeight(x[0], dy, x[1].shape(), c.spec()), 8);
        } finally {
            closeAll(in);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("convCases")
    void conv2dBiasGradient(ConvCase c) {
        Tensor[] in = convInputs(c, 300);
        try {
            check.check("conv2d bias, " + c, in, 2, x -> conv(x, c), (x, y, dy) -> backend.conv2dBackwardBias(dy), 9);
        } finally {
            closeAll(in);
        }
    }

    /** A large output plane (35×35 → 33×33 = 1089 positions): backends may split long planes into blocks. */
    @Test
    void conv2dWeightGradientOverALargePlane() {
        ConvCase c = new ConvCase("1089 output positions", 2, 1, 35, 35, 2, 3, 3, Conv2dSpec.defaults());
        Tensor[] in = convInputs(c, 250);
        try {
            check.check("conv2d weight, " + c, in, 1, x -> conv(x, c),
                    (x, y, dy) -> backend.conv2dBackwardWeight(x[0], dy, x[1].shape(), c.spec()), 19);
        } finally {
            closeAll(in);
        }
    }

    /** Pool windows: square and not, overlapping, padded, strided unequally; odd input sizes. */
    static Stream<Arguments> poolCases() {
        return Stream.of(
                Arguments.of("kernel 2", Shape.of(2, 3, 6, 7), Pool2dSpec.of(2)),
                Arguments.of("kernel 3 stride 2 padding 1", Shape.of(2, 2, 7, 5), Pool2dSpec.of(3, 2, 1)),
                Arguments.of("kernel 3x2 stride 1x2 padding 1x0", Shape.of(1, 2, 5, 6), new Pool2dSpec(3, 2, 1, 2, 1, 0)),
                Arguments.of("kernel 2 stride 1 padding 1", Shape.of(3, 1, 4, 5), Pool2dSpec.of(2, 1, 1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("poolCases")
    void maxPool2dGradient(String name, Shape shape, Pool2dSpec spec) {
        // Distinct values 0.05 apart: no ±h perturbation changes which element is a window's maximum.
        Tensor[] in = {TestTensors.wellSeparated(backend, 400, shape, 0.05f)};
        try {
            check.check("maxPool2d, " + name, in, 0, x -> backend.maxPool2d(x[0], spec),
                    (x, y, dy) -> backend.maxPool2dBackward(x[0], y, dy, spec), 10);
        } finally {
            closeAll(in);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("poolCases")
    void avgPool2dGradient(String name, Shape shape, Pool2dSpec spec) {
        Tensor[] in = {TestTensors.uniform(backend, 500, shape)};
        try {
            check.check("avgPool2d, " + name, in, 0, x -> backend.avgPool2d(x[0], spec),
                    (x, y, dy) -> backend.avgPool2dBackward(x[0], dy, spec), 11);
        } finally {
            closeAll(in);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2,3,5,4", "1,2,1,1", "3,1,2,7"})
    void globalAvgPool2dGradient(String dims) {
        Tensor[] in = {TestTensors.uniform(backend, 550, Shape.of(Arrays.stream(dims.split(",")).mapToInt(Integer::parseInt).toArray()))};
        try {
            check.check("globalAvgPool2d " + dims, in, 0, x -> backend.globalAvgPool2d(x[0]),
                    (x, y, dy) -> backend.globalAvgPool2dBackward(x[0], dy), 20);
        } finally {
            closeAll(in);
        }
    }

    /**
     * Batch normalisation in training mode: the input's gradient includes the paths through the batch
     * mean and variance. Inputs 0–2 are x, weight, bias; 3–4 the running statistics (updated by every
     * forward, never read by the output).
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void batchNorm2dTrainingGradients(int which) {
        Tensor[] in = {TestTensors.uniform(backend, 560, 3, 2, 4, 3), TestTensors.uniform(backend, 561, 2), TestTensors.uniform(backend, 562, 2),
                backend.zeros(Shape.of(2)), backend.zeros(Shape.of(2))};
        try {
            check.check("batchNorm2d training, input " + which, in, which, x -> {
                BatchNormOutput out = backend.batchNorm2dTraining(x[0], x[1], x[2], x[3], x[4], 0.1, 1e-5);
                out.savedMean().close();
                out.savedInvStd().close();
                return out.output();
            }, (x, y, dy) -> {
                try (BatchNormOutput out = backend.batchNorm2dTraining(x[0], x[1], x[2], x[3], x[4], 0.1, 1e-5)) {
                    BatchNormGradients g = backend.batchNorm2dBackward(x[0], dy, x[1], out.savedMean(), out.savedInvStd(), 1e-5);
                    Tensor[] all = {g.gradInput(), g.gradWeight(), g.gradBias()};
                    for (int i = 0; i < all.length; i++) if (i != which) all[i].close();
                    return all[which];
                }
            }, 21 + which);
        } finally {
            closeAll(in);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void reluGradient(int rank) {
        Shape shape = switch (rank) {
            case 1 -> Shape.of(37);
            case 2 -> Shape.of(5, 9);
            default -> Shape.of(2, 3, 4, 5);
        };
        // Values 0.05 apart and at least 0.025 from zero, beyond the ±0.01 perturbation.
        Tensor[] in = {TestTensors.wellSeparated(backend, 600, shape, 0.05f)};
        try {
            check.check("relu " + shape, in, 0, x -> backend.relu(x[0]), (x, y, dy) -> backend.reluBackward(y, dy), 12);
        } finally {
            closeAll(in);
        }
    }

    @Test
    void multiplyGradients() {
        Tensor[] in = {TestTensors.uniform(backend, 650, 2, 3, 4), TestTensors.uniform(backend, 651, 2, 3, 4)};
        try {
            check.check("multiply a", in, 0, x -> backend.multiply(x[0], x[1]), (x, y, dy) -> backend.multiply(dy, x[1]), 24);
            check.check("multiply b", in, 1, x -> backend.multiply(x[0], x[1]), (x, y, dy) -> backend.multiply(dy, x[0]), 25);
        } finally {
            closeAll(in);
        }
    }

    private Tensor[] linearInputs(int batch, int in, int out, long seed) {
        return new Tensor[]{
                TestTensors.uniform(backend, seed, batch, in),
                TestTensors.uniform(backend, seed + 1, out, in),
                TestTensors.uniform(backend, seed + 2, out)};
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 8})
    void linearGradients(int batch) {
        Tensor[] in = linearInputs(batch, 7, 5, 700 + batch);
        try {
            GradientCheck.Forward forward = x -> backend.linear(x[0], x[1], x[2]);
            check.check("linear input, batch " + batch, in, 0, forward, (x, y, dy) -> backend.linearBackwardInput(dy, x[1]), 13);
            check.check("linear weight, batch " + batch, in, 1, forward, (x, y, dy) -> backend.linearBackwardWeight(x[0], dy), 14);
            check.check("linear bias, batch " + batch, in, 2, forward, (x, y, dy) -> backend.linearBackwardBias(dy), 15);
        } finally {
            closeAll(in);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4, 9})
    void crossEntropyGradient(int batch) {
        int classes = 6;
        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++) labels[i] = (i * 5 + 3) % classes;
        // Logits spread over [-3, 3) so the softmax is far from uniform.
        float[] values = TestTensors.uniform(800 + batch, batch * classes);
        for (int i = 0; i < values.length; i++) values[i] *= 3;
        Tensor[] in = {backend.fromArray(Shape.of(batch, classes), values)};
        try (CrossEntropy result = backend.softmaxCrossEntropy(in[0], labels)) {
            check.checkScalar("softmaxCrossEntropy, batch " + batch, in, 0, x -> {
                try (CrossEntropy r = backend.softmaxCrossEntropy(x[0], labels)) {
                    return r.loss();
                }
            }, result.gradLogits().toArray());
        } finally {
            closeAll(in);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void concatChannelsGradientIsSplit(int which) {
        int[] channels = {2, 1, 3};
        Tensor[] in = new Tensor[channels.length];
        for (int i = 0; i < channels.length; i++) in[i] = TestTensors.uniform(backend, 900 + i, 2, channels[i], 3, 5);
        try {
            check.check("concatChannels part " + which, in, which, x -> backend.concatChannels(List.of(x)),
                    (x, y, dy) -> keepOne(backend.splitChannels(dy, channels), which), 16);
        } finally {
            closeAll(in);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void splitChannelsGradientIsConcat(int which) {
        int[] channels = {1, 3, 2};
        Tensor[] in = {TestTensors.uniform(backend, 1000, 2, 6, 3, 4)};
        try {
            check.check("splitChannels part " + which, in, 0, x -> keepOne(backend.splitChannels(x[0], channels), which),
                    (x, y, dy) -> {
                        // Only part `which` reaches the loss: its gradient is dy, the other parts' are zero.
                        List<Tensor> grads = new ArrayList<>();
                        try {
                            for (int i = 0; i < channels.length; i++) {
                                grads.add(i == which ? dy : backend.zeros(Shape.of(2, channels[i], 3, 4)));
                            }
                            return backend.concatChannels(grads);
                        } finally {
                            for (Tensor g : grads) if (g != dy) g.close();
                        }
                    }, 17);
        } finally {
            closeAll(in);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void addGradientIsTheOutputGradient(int which) {
        Tensor[] in = {TestTensors.uniform(backend, 1100, 3, 2, 5), TestTensors.uniform(backend, 1101, 3, 2, 5)};
        try {
            check.check("add operand " + which, in, which, x -> backend.add(x[0], x[1]), (x, y, dy) -> {
                Tensor grad = backend.zeros(dy.shape());
                backend.copy(dy, grad);
                return grad;
            }, 18);
        } finally {
            closeAll(in);
        }
    }

    /** Closes all tensors of a list except the one kept. */
    private static Tensor keepOne(List<Tensor> parts, int keep) {
        assertTrue(keep < parts.size(), "part index");
        for (int i = 0; i < parts.size(); i++) {
            if (i != keep) parts.get(i).close();
        }
        return parts.get(keep);
    }

    /**
     * Every op of the catalogue, checked on its example case: the switch over the sealed {@link OpCase}
     * has no default, so a new catalogue case does not compile here until its backward pass is wired in.
     */
    @ParameterizedTest
    @EnumSource(OpCatalogue.class)
    void everyCatalogueExampleHasTheGradientsOfItsForwardPass(OpCatalogue op) {
        String name = "catalogue " + op.id();
        switch (op.example()) {
            case OpCase.Conv2d c -> {
                Tensor[] in = {TestTensors.uniform(backend, 901, c.input()), TestTensors.uniform(backend, 902, c.weight()),
                        TestTensors.uniform(backend, 903, Shape.of(c.weight().dim(0)))};
                try {
                    GradientCheck.Forward forward = x -> backend.conv2d(x[0], x[1], x[2], c.spec());
                    check.check(name + " input", in, 0, forward, (x, y, dy) -> backend.conv2dBackwardInput(dy, x[1], x[0].shape(), c.spec()), 21);
                    check.check(name + " weight", in, 1, forward, (x, y, dy) -> backend.conv2dBackwardWeight(x[0], dy, x[1].shape(), c.spec()), 22);
                    check.check(name + " bias", in, 2, forward, (x, y, dy) -> backend.conv2dBackwardBias(dy), 23);
                } finally {
                    closeAll(in);
                }
            }
            case OpCase.Pool2d p -> {
                Tensor[] in = {TestTensors.wellSeparated(backend, 904, p.input(), 0.05f)};
                try {
                    if (p.max()) {
                        check.check(name, in, 0, x -> backend.maxPool2d(x[0], p.spec()), (x, y, dy) -> backend.maxPool2dBackward(x[0], y, dy, p.spec()), 24);
                    } else {
                        check.check(name, in, 0, x -> backend.avgPool2d(x[0], p.spec()), (x, y, dy) -> backend.avgPool2dBackward(x[0], dy, p.spec()), 24);
                    }
                } finally {
                    closeAll(in);
                }
            }
            case OpCase.Relu r -> {
                Tensor[] in = {TestTensors.wellSeparated(backend, 905, r.input(), 0.05f)};
                try {
                    check.check(name, in, 0, x -> backend.relu(x[0]), (x, y, dy) -> backend.reluBackward(y, dy), 25);
                } finally {
                    closeAll(in);
                }
            }
            case OpCase.Linear l -> {
                Tensor[] in = linearInputs(l.input().dim(0), l.input().dim(1), l.features(), 906);
                try {
                    GradientCheck.Forward forward = x -> backend.linear(x[0], x[1], x[2]);
                    check.check(name + " input", in, 0, forward, (x, y, dy) -> backend.linearBackwardInput(dy, x[1]), 26);
                    check.check(name + " weight", in, 1, forward, (x, y, dy) -> backend.linearBackwardWeight(x[0], dy), 27);
                    check.check(name + " bias", in, 2, forward, (x, y, dy) -> backend.linearBackwardBias(dy), 28);
                } finally {
                    closeAll(in);
                }
            }
            case OpCase.CrossEntropyLoss ce -> {
                int[] labels = new int[ce.logits().dim(0)];
                for (int i = 0; i < labels.length; i++) labels[i] = (i * 3 + 1) % ce.logits().dim(1);
                Tensor[] in = {TestTensors.uniform(backend, 907, ce.logits())};
                try (CrossEntropy result = backend.softmaxCrossEntropy(in[0], labels)) {
                    check.checkScalar(name, in, 0, x -> {
                        try (CrossEntropy r = backend.softmaxCrossEntropy(x[0], labels)) {
                            return r.loss();
                        }
                    }, result.gradLogits().toArray());
                } finally {
                    closeAll(in);
                }
            }
            case BeyondLessonOpCases.GlobalAvgPool2d g -> {
                Tensor[] in = {TestTensors.uniform(backend, 908, g.input())};
                try {
                    check.check(name, in, 0, x -> backend.globalAvgPool2d(x[0]), (x, y, dy) -> backend.globalAvgPool2dBackward(x[0], dy), 29);
                } finally {
                    closeAll(in);
                }
            }
            case BeyondLessonOpCases.BatchNorm2d b -> {
                for (int which = 0; which < 3; which++) batchNorm2dTrainingGradients(which);
            }
            case BeyondLessonOpCases.Multiply mul -> {
                Tensor[] in = {TestTensors.uniform(backend, 909, mul.input()), TestTensors.uniform(backend, 910, mul.input())};
                try {
                    check.check(name + " a", in, 0, x -> backend.multiply(x[0], x[1]), (x, y, dy) -> backend.multiply(dy, x[1]), 30);
                    check.check(name + " b", in, 1, x -> backend.multiply(x[0], x[1]), (x, y, dy) -> backend.multiply(dy, x[0]), 31);
                } finally {
                    closeAll(in);
                }
            }
            case OptimizerOpCases.AdamUpdate adam -> adamFirstStepMovesEachWeightByTheLearningRate(adam.input());
        }
    }

    /**
     * An update has no backward pass to check; what Adam's formula guarantees instead: from zero moments the
     * bias corrections cancel, so the first step moves every weight by lr·g/(|g| + eps), lr against the gradient's sign.
     */
    private void adamFirstStepMovesEachWeightByTheLearningRate(Shape shape) {
        float lr = 0.01f;
        try (Tensor param = TestTensors.uniform(backend, 911, shape); Tensor grad = TestTensors.wellSeparated(backend, 912, shape, 0.05f);
             Tensor expAvg = backend.zeros(shape); Tensor expAvgSq = backend.zeros(shape)) {
            float[] before = param.toArray(), g = grad.toArray();
            backend.adamStep(param, grad, expAvg, expAvgSq, new AdamStep(lr, 0.9, 0.999, 1e-8, 0, 1, false));
            float[] after = param.toArray();
            for (int i = 0; i < after.length; i++) {
                if (g[i] == 0) continue;
                assertEquals(-lr * Math.signum(g[i]), after[i] - before[i], 1e-6, "element " + i + " of gradient " + g[i]);
            }
        }
    }

    private static void closeAll(Tensor[] tensors) {
        for (Tensor t : tensors) {
            if (t != null) t.close();
        }
    }
}
