package dev.isthmus.testing;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.backend.CrossEntropy;
import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.compare.BatchNorm2dCase;
import dev.isthmus.compare.Conv2dCase;
import dev.isthmus.compare.Differentiation;
import dev.isthmus.compare.GlobalAvgPool2dCase;
import dev.isthmus.compare.LinearCase;
import dev.isthmus.compare.MultiplyCase;
import dev.isthmus.compare.GradientPath;
import dev.isthmus.compare.OpCase;
import dev.isthmus.compare.OpCatalogue;
import dev.isthmus.compare.Pool2dCase;
import dev.isthmus.compare.ReluCase;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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

    /** Every backward pass the case names, checked by finite differences on the case's own inputs. */
    private void checkGradients(String what, OpCase c) {
        checkGradients(what, c, path -> true);
    }

    /** The backward passes of the case that {@code which} selects. */
    private void checkGradients(String what, OpCase c, Predicate<GradientPath> which) {
        try (Differentiation d = c.differentiation(backend)) {
            assertFalse(d.paths().isEmpty(), what + " names at least one backward pass");
            long seed = 21;
            for (GradientPath path : d.paths().stream().filter(which).toList()) {
                String name = what + " " + path.name();
                switch (path) {
                    case GradientPath.ThroughOutput p -> check.check(name, d.inputs(), p.input(), p.forward()::apply, p.backward()::apply, seed++);
                    case GradientPath.OfLoss p -> check.checkScalar(name, d.inputs(), p.input(), p.objective()::apply, p.gradient().apply(d.inputs()));
                    case GradientPath.Invariant p -> {
                        String violation = p.property().violation(d.inputs());
                        assertNull(violation, name + ": " + violation);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.isthmus.testing.GradientGeometries#convCases")
    void conv2dGradients(GradientGeometries.ConvCase c) {
        checkGradients("conv2d, " + c, new Conv2dCase(Shape.of(c.n(), c.c(), c.h(), c.w()), Shape.of(c.k(), c.c(), c.r(), c.s()), c.spec()));
    }

    /** A large output plane (35×35 → 33×33 = 1089 positions): backends may split the weight gradient's long planes into blocks. */
    @Test
    void conv2dWeightGradientOverALargePlane() {
        checkGradients("conv2d, 1089 output positions", new Conv2dCase(Shape.of(2, 1, 35, 35), Shape.of(2, 1, 3, 3), Conv2dSpec.defaults()),
                path -> path.name().equals("weight"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.isthmus.testing.GradientGeometries#poolCases")
    void maxPool2dGradient(String name, Shape shape, Pool2dSpec spec) {
        checkGradients("maxPool2d, " + name, new Pool2dCase(true, shape, spec)); // inputs well separated: no ±h changes a window's maximum
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.isthmus.testing.GradientGeometries#poolCases")
    void avgPool2dGradient(String name, Shape shape, Pool2dSpec spec) {
        checkGradients("avgPool2d, " + name, new Pool2dCase(false, shape, spec));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2,3,5,4", "1,2,1,1", "3,1,2,7"})
    void globalAvgPool2dGradient(String dims) {
        checkGradients("globalAvgPool2d " + dims, new GlobalAvgPool2dCase(Shape.of(Arrays.stream(dims.split(",")).mapToInt(Integer::parseInt).toArray())));
    }

    /** Batch normalisation in training mode: the input's gradient includes the paths through the batch mean and variance. */
    @Test
    void batchNorm2dTrainingGradients() {
        checkGradients("batchNorm2d training", new BatchNorm2dCase(Shape.of(3, 2, 4, 3)));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void reluGradient(int rank) {
        Shape shape = switch (rank) {
            case 1 -> Shape.of(37);
            case 2 -> Shape.of(5, 9);
            default -> Shape.of(2, 3, 4, 5);
        };
        checkGradients("relu " + shape, new ReluCase(shape)); // inputs well separated and away from zero
    }

    @Test
    void multiplyGradients() {
        checkGradients("multiply", new MultiplyCase(Shape.of(2, 3, 4)));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 8})
    void linearGradients(int batch) {
        checkGradients("linear, batch " + batch, new LinearCase(Shape.of(batch, 7), 5));
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
     * Every op of the catalogue, checked on its example case: each {@link OpCase} says how it is
     * differentiated ({@link OpCase#differentiation}), so a new catalogue entry is checked here without a new line.
     */
    @ParameterizedTest
    @EnumSource(OpCatalogue.class)
    void everyCatalogueExampleHasTheGradientsOfItsForwardPass(OpCatalogue op) {
        checkGradients("catalogue " + op.id(), op.example());
    }

    private static void closeAll(Tensor[] tensors) {
        for (Tensor t : tensors) {
            if (t != null) t.close();
        }
    }
}
