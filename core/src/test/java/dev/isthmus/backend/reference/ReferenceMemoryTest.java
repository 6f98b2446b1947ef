package dev.isthmus.backend.reference;

import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.backend.CrossEntropy;
import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;
import dev.isthmus.testing.TestTensors;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.isthmus.testing.TensorAssert.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Native memory accounting, closing, and use after close. */
class ReferenceMemoryTest {

    @Test
    void liveBytesCountsEveryAllocationExactly() {
        try (ReferenceBackend backend = new ReferenceBackend()) {
            assertEquals(0, backend.liveBytes());
            Tensor a = backend.zeros(Shape.of(2, 3));
            assertEquals(24, backend.liveBytes());
            Tensor b = backend.fromArray(Shape.of(5), 1, 2, 3, 4, 5);
            assertEquals(44, backend.liveBytes());
            Tensor view = b.view(Shape.of(1, 5));
            view.close(); // a view owns nothing
            assertEquals(44, backend.liveBytes());
            a.close();
            a.close(); // closing twice frees once
            assertEquals(20, backend.liveBytes());
            b.close();
            assertEquals(0, backend.liveBytes());
        }
    }

    @Test
    void zerosAreZeroAndEmptyTensorsWork() {
        try (ReferenceBackend backend = new ReferenceBackend()) {
            // Fill the heap with non-zero garbage first so an unzeroed block would show.
            for (int i = 0; i < 20; i++) backend.fromArray(Shape.of(256), TestTensors.uniform(i, 256)).close();
            try (Tensor zeros = backend.zeros(Shape.of(256)); Tensor empty = backend.zeros(Shape.of(0, 3))) {
                assertArrayEquals(new float[256], zeros.toArray());
                assertEquals(0, empty.toArray().length);
            }
            assertEquals(0, backend.liveBytes());
        }
    }

    /** One forward and backward pass of a tiny CNN, everything closed again: live bytes return to the baseline. */
    @Test
    void aTrainingStepLeavesNothingBehind() {
        try (ReferenceBackend backend = new ReferenceBackend()) {
            try (Tensor keep = backend.zeros(Shape.of(10))) {
                long baseline = backend.liveBytes();
                List<Tensor> step = new ArrayList<>();
                Tensor x = track(step, TestTensors.uniform(backend, 1, 4, 1, 12, 12));
                Tensor w = track(step, TestTensors.uniform(backend, 2, 3, 1, 5, 5));
                Tensor b = track(step, TestTensors.uniform(backend, 3, 3));
                Tensor c = track(step, backend.conv2d(x, w, b, Conv2dSpec.defaults()));
                Tensor p = track(step, backend.maxPool2d(c, Pool2dSpec.of(2)));
                Tensor r = track(step, backend.relu(p));
                Tensor flat = r.flatten();
                Tensor fw = track(step, TestTensors.uniform(backend, 4, 10, 48));
                Tensor logits = track(step, backend.linear(flat, fw, keep));
                CrossEntropy loss = backend.softmaxCrossEntropy(logits, new int[]{1, 2, 3, 4});
                track(step, loss.gradLogits());
                Tensor dFlat = track(step, backend.linearBackwardInput(loss.gradLogits(), fw));
                track(step, backend.linearBackwardWeight(flat, loss.gradLogits()));
                track(step, backend.linearBackwardBias(loss.gradLogits()));
                Tensor dr = track(step, backend.reluBackward(r, dFlat.view(r.shape())));
                Tensor dc = track(step, backend.maxPool2dBackward(c, p, dr, Pool2dSpec.of(2)));
                track(step, backend.conv2dBackwardInput(dc, w, x.shape(), Conv2dSpec.defaults()));
                track(step, backend.conv2dBackwardWeight(x, dc, w.shape(), Conv2dSpec.defaults()));
                track(step, backend.conv2dBackwardBias(dc));
                assertTrue(backend.liveBytes() > baseline);
                step.forEach(Tensor::close);
                assertEquals(baseline, backend.liveBytes());
            }
            assertEquals(0, backend.liveBytes());
        }
    }

    private static Tensor track(List<Tensor> owned, Tensor t) {
        owned.add(t);
        return t;
    }

    @Test
    void aClosedBackendRefusesWorkButLetsTensorsBeClosed() {
        ReferenceBackend backend = new ReferenceBackend();
        Tensor a = backend.fromArray(Shape.of(1, 1, 2, 2), 1, -2, 3, -4);
        Tensor w = backend.zeros(Shape.of(1, 1, 1, 1));
        assertTrue(!backend.isClosed());
        backend.close();
        assertTrue(backend.isClosed());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> backend.relu(a));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> backend.zeros(Shape.of(1)));
        assertThrows(IllegalStateException.class, () -> backend.fromArray(Shape.of(1), 1));
        assertThrows(IllegalStateException.class, a::toArray);
        assertThrows(IllegalStateException.class, () -> backend.conv2d(a, w, null, Conv2dSpec.defaults()));
        assertThrows(IllegalStateException.class, () -> backend.sgdMomentumStep(a, a, a, 1, 0, 0));
        assertEquals(0, backend.liveBytes(), "closing frees the tensors still live (Backend.close's one contract)");
        a.close();
        w.close();
        assertEquals(0, backend.liveBytes());
        backend.close(); // harmless when repeated
    }

    @Test
    void aClosedTensorFailsInsteadOfTouchingFreedMemory() {
        try (ReferenceBackend backend = new ReferenceBackend()) {
            Tensor t = backend.fromArray(Shape.of(3), 1, 2, 3);
            t.close();
            assertTrue(t.isClosed());
            assertThrows(IllegalStateException.class, t::segment);
            assertThrows(IllegalStateException.class, () -> t.view(Shape.of(1, 3)));
            assertThrows(IllegalStateException.class, t::toArray);
            assertThrows(IllegalStateException.class, () -> backend.relu(t));
            t.close();
            assertEquals(0, backend.liveBytes());
        }
    }

    /** Ops from several threads at once on one backend: correct, identical results and exact accounting. */
    @Test
    void concurrentCallersShareOneBackend() throws Exception {
        try (ReferenceBackend backend = new ReferenceBackend();
             Tensor x = TestTensors.uniform(backend, 5, 8, 3, 16, 16);
             Tensor w = TestTensors.uniform(backend, 6, 6, 3, 3, 3)) {
            long baseline = backend.liveBytes();
            float[] expected;
            try (Tensor y = backend.conv2d(x, w, null, Conv2dSpec.of(1, 1))) {
                expected = y.toArray();
            }
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<float[]>> results = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    results.add(pool.submit(() -> {
                        try (Tensor y = backend.conv2d(x, w, null, Conv2dSpec.of(1, 1));
                             Tensor dx = backend.conv2dBackwardInput(y, w, x.shape(), Conv2dSpec.of(1, 1))) {
                            assertEquals(x.shape(), dx.shape());
                            return y.toArray();
                        }
                    }));
                }
                for (Future<float[]> result : results) assertBitIdentical("conv2d from another thread", expected, result.get());
            } finally {
                pool.shutdown();
            }
            assertEquals(baseline, backend.liveBytes());
        }
    }
}
