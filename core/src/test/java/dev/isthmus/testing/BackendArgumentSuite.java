package dev.isthmus.testing;

import dev.isthmus.backend.AdamStep;
import dev.isthmus.backend.Backend;
import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.compare.OpCatalogue;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The argument-error suite, written once for every backend: each kind of bad argument gives an
 * IllegalArgumentException whose message names the op, the argument and the shapes, the same message
 * on every backend (they share one front, {@code AbstractBackend}); plus the one contract of
 * {@link Backend#close}. Run on the reference backend, on CUDA over the stand-in libraries and on
 * CUDA on a GPU (tag {@code gpu}); a new backend adds one subclass.
 */
public abstract class BackendArgumentSuite {
    private final Backend backend = openBackend();

    /**
     * A new backend of the kind under test (called once per test, and again where a test needs two).
     *
     * @return an open backend owned by the calling thread
     */
    protected abstract Backend openBackend();

    /** For subclasses. */
    protected BackendArgumentSuite() {
    }

    @AfterEach
    void noLeaks() {
        assertEquals(0, backend.liveBytes(), "failed ops free what they allocated");
        backend.close();
    }

    /** Runs {@code call}, expects the exception, and checks the message starts with the op and contains each fragment. */
    private static void rejects(String op, Executable call, String... fragments) {
        rejects(IllegalArgumentException.class, op, call, fragments);
    }

    private static void rejects(Class<? extends RuntimeException> type, String op, Executable call, String... fragments) {
        RuntimeException e = assertThrows(type, call, op);
        assertTrue(e.getMessage().startsWith(op + ":"), "message names the op first: " + e.getMessage());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "message mentions '" + fragment + "': " + e.getMessage());
        }
    }

    private Tensor t(int... dims) {
        return backend.zeros(Shape.of(dims));
    }

    @Test
    void convolutionArguments() {
        try (Tensor input = t(1, 3, 5, 5); Tensor weight = t(2, 4, 3, 3); Tensor goodWeight = t(2, 3, 3, 3);
             Tensor bias = t(3); Tensor rank3 = t(3, 5, 5); Tensor dy = t(1, 2, 4, 4); Tensor flat = t(2, 2)) {
            rejects("conv2d", () -> backend.conv2d(input, weight, null, Conv2dSpec.defaults()), "channels", "[1, 3, 5, 5]", "[2, 4, 3, 3]");
            rejects("conv2d", () -> backend.conv2d(input, goodWeight, bias, Conv2dSpec.defaults()), "bias", "[3]", "[2, 3, 3, 3]");
            rejects("conv2d", () -> backend.conv2d(rank3, goodWeight, null, Conv2dSpec.defaults()), "input", "[3, 5, 5]");
            rejects("conv2d", () -> backend.conv2d(input, goodWeight, null, null), "spec");
            rejects("conv2d", () -> backend.conv2d(input, goodWeight, null, Conv2dSpec.of(1, 0, 3)), "larger than the padded input");
            rejects("conv2dBackwardInput", () -> backend.conv2dBackwardInput(dy, goodWeight, input.shape(), Conv2dSpec.defaults()),
                    "gradOutput", "[1, 2, 4, 4]", "[1, 2, 3, 3]");
            rejects("conv2dBackwardInput", () -> backend.conv2dBackwardInput(dy, weight, input.shape(), Conv2dSpec.defaults()), "channels");
            rejects("conv2dBackwardWeight", () -> backend.conv2dBackwardWeight(input, dy, goodWeight.shape(), Conv2dSpec.defaults()),
                    "gradOutput", "[1, 2, 4, 4]", "[1, 2, 3, 3]");
            rejects("conv2dBackwardBias", () -> backend.conv2dBackwardBias(flat), "gradOutput", "[2, 2]");
        }
    }

    @Test
    void poolingArguments() {
        try (Tensor input = t(1, 2, 4, 4); Tensor wrongOutput = t(1, 2, 3, 3); Tensor output = t(1, 2, 2, 2); Tensor flat = t(4, 4)) {
            rejects("maxPool2d", () -> backend.maxPool2d(flat, Pool2dSpec.of(2)), "input", "[4, 4]");
            rejects("maxPool2d", () -> backend.maxPool2d(input, Pool2dSpec.of(5)), "larger than the padded input", "[1, 2, 4, 4]");
            rejects("avgPool2d", () -> backend.avgPool2d(input, Pool2dSpec.of(5)), "larger than the padded input");
            rejects("maxPool2dBackward", () -> backend.maxPool2dBackward(input, wrongOutput, output, Pool2dSpec.of(2)), "output", "[1, 2, 3, 3]");
            rejects("maxPool2dBackward", () -> backend.maxPool2dBackward(input, output, wrongOutput, Pool2dSpec.of(2)), "gradOutput", "[1, 2, 3, 3]");
            rejects("avgPool2dBackward", () -> backend.avgPool2dBackward(input, wrongOutput, Pool2dSpec.of(2)), "gradOutput", "[1, 2, 3, 3]");
        }
    }

    @Test
    void globalPoolingArguments() {
        try (Tensor input = t(2, 3, 4, 5); Tensor noPixels = t(2, 3, 0, 5); Tensor flat = t(2, 3); Tensor dy = t(2, 3, 2, 1)) {
            rejects("globalAvgPool2d", () -> backend.globalAvgPool2d(flat), "input", "[2, 3]", "[N, C, H, W]");
            rejects("globalAvgPool2d", () -> backend.globalAvgPool2d(noPixels), "input", "[2, 3, 0, 5]", "no pixels");
            rejects("globalAvgPool2dBackward", () -> backend.globalAvgPool2dBackward(input, dy), "gradOutput", "[2, 3, 2, 1]", "[2, 3, 1, 1]");
        }
    }

    @Test
    void batchNormArguments() {
        try (Tensor input = t(2, 3, 4, 5); Tensor c = t(3); Tensor wrong = t(4); Tensor single = t(1, 3, 1, 1); Tensor flat = t(2, 3);
             Tensor dy = t(2, 3, 4, 4)) {
            rejects("batchNorm2dTraining", () -> backend.batchNorm2dTraining(flat, c, c, c, c, 0.1, 1e-5), "input", "[2, 3]");
            rejects("batchNorm2dTraining", () -> backend.batchNorm2dTraining(input, wrong, c, c, c, 0.1, 1e-5), "weight", "[4]", "3 channels");
            rejects("batchNorm2dTraining", () -> backend.batchNorm2dTraining(input, c, c, c, wrong, 0.1, 1e-5), "runningVar", "[4]");
            rejects("batchNorm2dTraining", () -> backend.batchNorm2dTraining(input, c, c, c, c, 1.5, 1e-5), "momentum", "1.5");
            rejects("batchNorm2dTraining", () -> backend.batchNorm2dTraining(input, c, c, c, c, 0.1, 0), "eps", "positive");
            rejects("batchNorm2dTraining", () -> backend.batchNorm2dTraining(single, c, c, c, c, 0.1, 1e-5), "[1, 3, 1, 1]", "at least 2");
            rejects("batchNorm2dInference", () -> backend.batchNorm2dInference(input, c, wrong, c, c, 1e-5), "bias", "[4]");
            rejects("batchNorm2dInference", () -> backend.batchNorm2dInference(input, c, c, c, c, Double.NaN), "eps", "NaN");
            rejects("batchNorm2dBackward", () -> backend.batchNorm2dBackward(input, dy, c, c, c, 1e-5), "gradOutput", "[2, 3, 4, 4]");
            rejects("batchNorm2dBackward", () -> backend.batchNorm2dBackward(input, input, c, wrong, c, 1e-5), "savedMean", "[4]");
        }
    }

    @Test
    void linearArguments() {
        try (Tensor input = t(2, 3); Tensor weight = t(4, 5); Tensor goodWeight = t(4, 3); Tensor bias = t(5); Tensor image = t(2, 3, 1, 1);
             Tensor dy = t(2, 5); Tensor dyOtherBatch = t(3, 4)) {
            rejects("linear", () -> backend.linear(input, weight, null), "features", "[2, 3]", "[4, 5]");
            rejects("linear", () -> backend.linear(input, goodWeight, bias), "bias", "[5]", "[4, 3]");
            rejects("linear", () -> backend.linear(image, goodWeight, null), "input", "[2, 3, 1, 1]", "flatten");
            rejects("linearBackwardInput", () -> backend.linearBackwardInput(dy, goodWeight), "gradOutput", "[2, 5]", "[4, 3]");
            rejects("linearBackwardWeight", () -> backend.linearBackwardWeight(input, dyOtherBatch), "batch", "[2, 3]", "[3, 4]");
            rejects("linearBackwardBias", () -> backend.linearBackwardBias(image), "gradOutput", "[2, 3, 1, 1]");
        }
    }

    @Test
    void crossEntropyArguments() {
        try (Tensor logits = t(2, 10); Tensor images = t(2, 10, 1, 1); Tensor empty = t(0, 10)) {
            rejects("softmaxCrossEntropy", () -> backend.softmaxCrossEntropy(logits, new int[]{3, 10}), "label 10", "index 1", "[2, 10]");
            rejects("softmaxCrossEntropy", () -> backend.softmaxCrossEntropy(logits, new int[]{-1, 0}), "label -1", "index 0");
            rejects("softmaxCrossEntropy", () -> backend.softmaxCrossEntropy(logits, new int[]{1}), "1 labels", "[2, 10]");
            rejects("softmaxCrossEntropy", () -> backend.softmaxCrossEntropy(logits, null), "labels", "null");
            rejects("softmaxCrossEntropy", () -> backend.softmaxCrossEntropy(images, new int[]{0, 0}), "logits", "[2, 10, 1, 1]");
            rejects("softmaxCrossEntropy", () -> backend.softmaxCrossEntropy(empty, new int[0]), "empty", "[0, 10]");
            try (Tensor noClasses = t(2, 0)) {
                rejects("softmaxCrossEntropy", () -> backend.softmaxCrossEntropy(noClasses, new int[]{0, 0}), "empty", "[2, 0]");
            }
        }
    }

    @Test
    void structureArguments() {
        try (Tensor a = t(2, 1, 3, 3); Tensor otherBatch = t(3, 1, 3, 3); Tensor otherWidth = t(2, 1, 3, 4); Tensor flat = t(2, 9);
             Tensor b = t(2, 9, 1, 1)) {
            rejects("concatChannels", () -> backend.concatChannels(List.of(a, otherBatch)), "inputs[1]", "[3, 1, 3, 3]", "[2, 1, 3, 3]");
            rejects("concatChannels", () -> backend.concatChannels(List.of(a, otherWidth)), "inputs[1]", "[2, 1, 3, 4]");
            rejects("concatChannels", () -> backend.concatChannels(List.of(a, flat)), "inputs[1]", "[2, 9]");
            rejects("concatChannels", () -> backend.concatChannels(List.of()), "no inputs");
            rejects("splitChannels", () -> backend.splitChannels(b, new int[]{4, 4}), "add up to 8", "[2, 9, 1, 1]");
            rejects("splitChannels", () -> backend.splitChannels(b, new int[]{10, -1}), "negative");
            rejects("add", () -> backend.add(flat, b), "[2, 9]", "[2, 9, 1, 1]");
            rejects("multiply", () -> backend.multiply(flat, b), "[2, 9]", "[2, 9, 1, 1]");
            rejects("reluBackward", () -> backend.reluBackward(flat, b), "[2, 9]", "[2, 9, 1, 1]");
        }
    }

    @Test
    void optimiserArguments() {
        try (Tensor param = t(3); Tensor grad = t(4); Tensor buffer = t(3)) {
            rejects("sgdMomentumStep", () -> backend.sgdMomentumStep(param, grad, buffer, 0.1f, 0.9f, 0f), "grad", "[3]", "[4]");
            rejects("sgdMomentumStep", () -> backend.sgdMomentumStep(param, buffer, grad, 0.1f, 0.9f, 0f), "momentumBuffer", "[4]");
            rejects("scaleInPlace", () -> backend.scaleInPlace(param, Float.NaN), "factor", "NaN");
        }
    }

    @Test
    void adamArguments() {
        try (Tensor param = t(3); Tensor grad = t(4); Tensor moment = t(3)) {
            AdamStep fine = new AdamStep(1e-3, 0.9, 0.999, 1e-8, 0, 1, false);
            rejects("adamStep", () -> backend.adamStep(param, grad, moment, moment, fine), "grad", "[3]", "[4]");
            rejects("adamStep", () -> backend.adamStep(param, moment, grad, moment, fine), "expAvg", "[4]");
            rejects("adamStep", () -> backend.adamStep(param, moment, moment, grad, fine), "expAvgSq", "[4]");
            rejects("adamStep", () -> backend.adamStep(param, moment, moment, moment, null), "AdamStep");
            rejects("adamStep", () -> backend.adamStep(param, moment, moment, moment, new AdamStep(-1, 0.9, 0.999, 1e-8, 0, 1, false)),
                    "learning rate -1.0", ">= 0");
            rejects("adamStep", () -> backend.adamStep(param, moment, moment, moment, new AdamStep(1e-3, 1, 0.999, 1e-8, 0, 1, false)),
                    "beta1 1.0", "[0, 1)");
            rejects("adamStep", () -> backend.adamStep(param, moment, moment, moment, new AdamStep(1e-3, 0.9, -0.1, 1e-8, 0, 1, false)),
                    "beta2 -0.1", "[0, 1)");
            rejects("adamStep", () -> backend.adamStep(param, moment, moment, moment, new AdamStep(1e-3, 0.9, 0.999, 0, 0, 1, true)),
                    "eps 0.0", "> 0");
            rejects("adamStep", () -> backend.adamStep(param, moment, moment, moment, new AdamStep(1e-3, 0.9, 0.999, 1e-8, Double.NaN, 1, true)),
                    "weight decay NaN", ">= 0");
            rejects("adamStep", () -> backend.adamStep(param, moment, moment, moment, new AdamStep(1e-3, 0.9, 0.999, 1e-8, 0, 0, false)),
                    "step 0", "from 1");
        }
    }

    @Test
    void memoryArguments() {
        try (Tensor a = t(2, 3); Tensor b = t(3, 2); Tensor c = t(7); Arena arena = Arena.ofConfined()) {
            rejects("fromHost", () -> backend.fromHost(Shape.of(4), arena.allocate(8)), "8 bytes", "[4]");
            rejects("toHost", () -> backend.toHost(a, arena.allocate(8)), "8 bytes", "[2, 3]");
            rejects("copy", () -> backend.copy(a, c), "[2, 3]", "[7]");
            backend.copy(a, b); // equal element counts are enough
            rejects("fromArray", () -> backend.fromArray(Shape.of(2, 2), 1, 2, 3), "3 values", "[2, 2]");
        }
    }

    @Test
    void tensorsOfAnotherBackendAreRejected() {
        try (Backend other = openBackend();
             Tensor foreign = other.zeros(Shape.of(1, 1, 3, 3));
             Tensor weight = t(1, 1, 2, 2)) {
            rejects("conv2d", () -> backend.conv2d(foreign, weight, null, Conv2dSpec.defaults()), "input", "[1, 1, 3, 3]", "another " + backend.name() + " backend");
            rejects("relu", () -> backend.relu(foreign), "input", "another " + backend.name() + " backend");
            rejects("add", () -> backend.add(weight, foreign), "b");
        }
    }

    @Test
    void closedAndNullTensorsAreRejected() {
        Tensor closed = t(1, 1, 3, 3);
        closed.close();
        Tensor owner = t(1, 1, 3, 3);
        Tensor view = owner.view(Shape.of(1, 9));
        owner.close();
        try (Tensor weight = t(1, 1, 2, 2)) {
            rejects(IllegalStateException.class, "conv2d", () -> backend.conv2d(closed, weight, null, Conv2dSpec.defaults()), "input", "[1, 1, 3, 3]", "closed");
            rejects(IllegalStateException.class, "conv2d", () -> backend.conv2d(weight, closed, null, Conv2dSpec.defaults()), "weight", "closed");
            rejects("relu", () -> backend.relu(null), "input", "null");
            rejects(IllegalStateException.class, "relu", () -> backend.relu(view), "input", "[1, 9]", "closed");
        }
        rejects(IllegalStateException.class, "toHost", closed::toArray, "source", "closed");
    }

    /**
     * Every op of the catalogue, run through its example case, refuses inputs of another backend and
     * closed inputs with the front's messages: a new catalogue entry is covered here without a new line.
     */
    @ParameterizedTest
    @EnumSource(OpCatalogue.class)
    void everyCatalogueOpRefusesForeignAndClosedInputs(OpCatalogue op) {
        try (Backend other = openBackend()) {
            Backend foreignInputs = new ForwardingBackend(backend) {
                @Override
                public Tensor fromHost(Shape shape, MemorySegment host) {
                    return other.fromHost(shape, host);
                }
            };
            IllegalArgumentException foreign = assertThrows(IllegalArgumentException.class, () -> op.example().evaluate(foreignInputs, 1), op.id());
            assertTrue(foreign.getMessage().contains("belongs to another " + backend.name() + " backend"), foreign.getMessage());
            Backend closedInputs = new ForwardingBackend(backend) {
                @Override
                public Tensor fromHost(Shape shape, MemorySegment host) {
                    Tensor tensor = delegate.fromHost(shape, host);
                    tensor.close();
                    return tensor;
                }
            };
            IllegalStateException closed = assertThrows(IllegalStateException.class, () -> op.example().evaluate(closedInputs, 1), op.id());
            assertTrue(closed.getMessage().contains("is closed (its memory was freed); pass a live tensor"), closed.getMessage());
        }
    }

    /**
     * {@link Backend#close}'s contract: closing frees every tensor the backend still holds (they can no
     * longer be used), every later call throws IllegalStateException, and closing again, or closing its tensors, does nothing.
     */
    @Test
    void closingFreesEveryTensorAndRefusesLaterWork() {
        Backend closing = openBackend();
        Tensor live = closing.fromArray(Shape.of(2, 2), 1, 2, 3, 4);
        closing.close();
        assertEquals(0, closing.liveBytes(), "closing frees the tensors still live");
        rejects(IllegalStateException.class, "toHost", live::toArray, "closed");
        rejects(IllegalStateException.class, "relu", () -> closing.relu(live), "closed");
        rejects(IllegalStateException.class, "zeros", () -> closing.zeros(Shape.of(1)), "closed");
        live.close();
        closing.close();
        assertEquals(0, closing.liveBytes());
    }
}
