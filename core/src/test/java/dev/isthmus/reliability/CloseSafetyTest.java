package dev.isthmus.reliability;

import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Models;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;
import dev.isthmus.train.Sgd;
import dev.isthmus.train.SgdSettings;
import dev.isthmus.train.TrainingStep;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Closing misused, on the reference backend: use after close, double close, close from another thread
 * and many threads racing to close the same tensors all end in Java exceptions or harmless no-ops, never
 * in a double {@code free} or a read of freed memory (either would abort the JVM). The CUDA backend's
 * counterparts run on the stand-in: CudaConformanceSuite#useAfterCloseThrowsAndDoubleCloseIsHarmless and
 * #callsFromAnotherThreadThrowButClosingATensorThereIsAllowed.
 */
class CloseSafetyTest {

    @Test
    void everyUseOfAClosedTensorThrows() {
        try (ReferenceBackend backend = new ReferenceBackend(); Tensor weight = backend.zeros(Shape.of(2, 1, 3, 3))) {
            Tensor closed = backend.fromArray(Shape.of(1, 1, 4, 4), new float[16]);
            Tensor view = closed.view(Shape.of(16));
            closed.close();
            assertThrows(IllegalStateException.class, closed::segment);
            assertThrows(IllegalStateException.class, view::segment, "a view dies with its owner");
            assertThrows(IllegalStateException.class, closed::toArray);
            assertThrows(IllegalStateException.class, view::toArray);
            assertThrows(IllegalStateException.class, () -> backend.conv2d(closed, weight, null, Conv2dSpec.defaults()));
            assertThrows(IllegalStateException.class, () -> backend.copy(weight, closed));
            assertThrows(IllegalArgumentException.class, () -> backend.sgdMomentumStep(weight, weight, view.view(Shape.of(2, 1, 3, 3)), 1, 0, 0));
            closed.close();
            view.close();
            assertEquals(weight.shape().bytes(), backend.liveBytes());
        }
    }

    @Test
    void aClosedModelOrOptimizerRefusesToTrain() {
        try (ReferenceBackend backend = new ReferenceBackend()) {
            Model model = Models.CNN.create(backend, 1);
            Sgd sgd = new Sgd(SgdSettings.lesson());
            TrainingStep.run(model, sgd, AllocationFailureTest.batch(1, 2), 0);
            model.close();
            model.close();
            assertThrows(RuntimeException.class, () -> TrainingStep.run(model, sgd, AllocationFailureTest.batch(2, 2), 1));
            sgd.close();
            sgd.close();
            assertEquals(0, backend.liveBytes());
        }
    }

    @Test
    void aClosedBackendRefusesWorkAndItsTensorsCanStillBeClosed() {
        ReferenceBackend backend = new ReferenceBackend();
        Model model = Models.CNN.create(backend, 2);
        backend.close();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TrainingStep.run(model, new Sgd(SgdSettings.lesson()), AllocationFailureTest.batch(3, 2), 0));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        model.close();
        assertEquals(0, backend.liveBytes());
        backend.close();
    }

    @Test
    void aTensorClosedOnAnotherThreadFailsCleanlyHere() throws Exception {
        try (ReferenceBackend backend = new ReferenceBackend()) {
            Tensor tensor = backend.fromArray(Shape.of(4), 1, 2, 3, 4);
            ExecutorService other = Executors.newSingleThreadExecutor();
            try {
                other.submit(tensor::close).get();
            } finally {
                other.shutdown();
            }
            assertTrue(tensor.isClosed());
            assertThrows(IllegalStateException.class, () -> backend.relu(tensor));
            assertEquals(0, backend.liveBytes());
        }
    }

    /** Eight threads close the same 200 tensors at once: each block is freed exactly once. */
    @Test
    void racingClosesFreeEachBlockOnce() throws Exception {
        try (ReferenceBackend backend = new ReferenceBackend()) {
            List<Tensor> tensors = new ArrayList<>();
            for (int i = 0; i < 200; i++) tensors.add(backend.zeros(Shape.of(64 + i)));
            int threads = 8;
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    done.add(pool.submit(() -> {
                        start.await();
                        tensors.forEach(Tensor::close);
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> future : done) future.get();
            } finally {
                pool.shutdown();
            }
            assertEquals(0, backend.liveBytes(), "freed once each: a second free would have gone negative (or crashed)");
        }
    }
}
