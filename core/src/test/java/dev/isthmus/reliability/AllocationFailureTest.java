package dev.isthmus.reliability;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Models;
import dev.isthmus.tensor.Shape;
import dev.isthmus.testing.TestTensors;
import dev.isthmus.train.Batch;
import dev.isthmus.train.Evaluation;
import dev.isthmus.train.Sgd;
import dev.isthmus.train.SgdSettings;
import dev.isthmus.train.TrainingStep;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An allocation that fails at any point of a training step (forward, loss, backward, optimizer) or of an
 * evaluation propagates as the allocation's own error, and once the step's scope has closed the live
 * off-heap bytes are exactly what they were before the step: nothing leaks, and the model trains on.
 * Every allocation index of a step is tried in turn. (The CUDA backend's counterpart, on the CPU stand-in
 * with cudaMalloc failing: StandInCudaResourcesTest#anAllocationFailureMidStepIsAClearErrorAndLeaksNothing.)
 */
class AllocationFailureTest {

    @ParameterizedTest
    @EnumSource(Models.class)
    void aFailedAllocationAnywhereInAStepLeaksNothing(Models architecture) {
        try (ReferenceBackend reference = new ReferenceBackend();
             FailingAllocations failing = new FailingAllocations(reference);
             Backend backend = failing.backend();
             Model model = architecture.create(backend, 3);
             Sgd sgd = new Sgd(SgdSettings.lesson())) {
            TrainingStep.run(model, sgd, batch(1, 2), 0); // momentum buffers and gradients exist from here on
            long baseline = backend.liveBytes();
            long before = failing.allocations();
            TrainingStep.run(model, sgd, batch(2, 2), 1);
            int perStep = Math.toIntExact(failing.allocations() - before);
            assertEquals(baseline, backend.liveBytes(), "a successful step keeps the same footprint");

            for (int allowed = 0; allowed < perStep; allowed++) {
                failing.failAfter(allowed);
                int step = allowed;
                OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> TrainingStep.run(model, sgd, batch(10 + step, 2), 2 + step),
                        "allocation " + (allowed + 1) + " of " + perStep);
                assertTrue(e.getMessage().startsWith("injected"), e.getMessage());
                assertEquals(baseline, backend.liveBytes(), architecture.id() + ": live bytes after a failure at allocation "
                        + (allowed + 1) + " of " + perStep);
            }
            failing.failAfter(-1);
            float loss = TrainingStep.run(model, sgd, batch(99, 2), 99);
            assertTrue(Float.isFinite(loss), "the model trains on after the failures");
            assertEquals(baseline, backend.liveBytes());
        }
    }

    @ParameterizedTest
    @EnumSource(Models.class)
    void aFailedAllocationDuringEvaluationLeaksNothing(Models architecture) {
        try (ReferenceBackend reference = new ReferenceBackend();
             FailingAllocations failing = new FailingAllocations(reference);
             Backend backend = failing.backend();
             Model model = architecture.create(backend, 4)) {
            long baseline = backend.liveBytes();
            long before = failing.allocations();
            Evaluation.run(model, List.of(batch(5, 3)), 10);
            int perBatch = Math.toIntExact(failing.allocations() - before);
            for (int allowed = 0; allowed < perBatch; allowed++) {
                failing.failAfter(allowed);
                assertThrows(OutOfMemoryError.class, () -> Evaluation.run(model, List.of(batch(6, 3)), 10));
                assertEquals(baseline, backend.liveBytes(), "live bytes after a failure at allocation " + (allowed + 1));
            }
        }
    }

    static Batch batch(long seed, int size) {
        Shape shape = Shape.of(size, 1, 28, 28);
        return new Batch(shape, TestTensors.uniform(seed, (int) shape.numel()), new SplittableRandom(seed).ints(size, 0, 10).toArray());
    }
}
