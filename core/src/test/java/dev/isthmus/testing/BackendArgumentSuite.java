package dev.isthmus.testing;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.compare.BadArgument;
import dev.isthmus.compare.OpCase;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    /**
     * Every op of the catalogue refuses its own bad arguments ({@link OpCase#badArguments()}) with the
     * same message on every backend: a new catalogue entry is covered here without a new line.
     */
    @ParameterizedTest
    @EnumSource(OpCatalogue.class)
    void everyCatalogueOpRefusesItsBadArguments(OpCatalogue op) {
        List<BadArgument> bad = op.example().badArguments();
        assertFalse(bad.isEmpty(), op.id() + " lists its bad arguments");
        for (BadArgument argument : bad) {
            Tensor[] tensors = argument.tensors().stream().map(backend::zeros).toArray(Tensor[]::new);
            try {
                rejects(argument.type(), argument.op(), () -> argument.call().apply(backend, tensors), argument.fragments().toArray(String[]::new));
            } finally {
                for (Tensor tensor : tensors) tensor.close();
            }
        }
    }

    /** The ops outside the catalogue (channel concatenation and splitting, add). */
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
                public Tensor fromHost(Shape shape, MemorySegment host) {
                    return other.fromHost(shape, host);
                }
            }.backend();
            IllegalArgumentException foreign = assertThrows(IllegalArgumentException.class, () -> op.example().evaluate(foreignInputs, 1), op.id());
            assertTrue(foreign.getMessage().contains("belongs to another " + backend.name() + " backend"), foreign.getMessage());
            Backend closedInputs = new ForwardingBackend(backend) {
                public Tensor fromHost(Shape shape, MemorySegment host) {
                    Tensor tensor = delegate().fromHost(shape, host);
                    tensor.close();
                    return tensor;
                }
            }.backend();
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
