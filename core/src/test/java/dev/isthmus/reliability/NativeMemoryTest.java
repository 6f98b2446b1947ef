package dev.isthmus.reliability;

import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Models;
import dev.isthmus.train.Batch;
import dev.isthmus.train.EpochMetrics;
import dev.isthmus.train.Sgd;
import dev.isthmus.train.SgdSettings;
import dev.isthmus.train.Trainer;
import dev.isthmus.train.TrainingStep;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Off-heap memory of the reference backend ({@code malloc}, counted exactly by {@code liveBytes()}): after
 * the first step the footprint of a training run is constant (parameters, their gradients and momentum),
 * whatever the number of steps, epochs and evaluations, and it returns to zero once the model and the
 * optimizer are closed, as the CLI's try-with-resources does before closing the backend. The CUDA
 * backend's counterparts run on the CPU stand-in: CudaConformanceSuite#liveBytesReturnToZeroAfterManySteps
 * and StandInCudaResourcesTest#closingAfterTrainingGivesEverythingBackEvenWithTensorsStillOpen.
 */
class NativeMemoryTest {

    @ParameterizedTest
    @EnumSource(Models.class)
    void manyStepsKeepAConstantFootprintAndClosingReturnsToZero(Models architecture) {
        try (ReferenceBackend backend = new ReferenceBackend()) {
            try (Model model = architecture.create(backend, 5); Sgd sgd = new Sgd(SgdSettings.lesson())) {
                TrainingStep.run(model, sgd, AllocationFailureTest.batch(0, 4), 0);
                long footprint = backend.liveBytes();
                long parameters = model.stateDict().values().stream().mapToLong(p -> p.shape().bytes()).sum();
                long buffers = model.buffers().values().stream().mapToLong(b -> b.shape().bytes()).sum();
                assertEquals(3 * parameters + buffers, footprint,
                        "parameters, gradients, momentum buffers and the layers' buffers (running statistics), nothing else");
                for (int step = 1; step <= 40; step++) {
                    TrainingStep.run(model, sgd, AllocationFailureTest.batch(step, 1 + step % 5), step);
                    assertEquals(footprint, backend.liveBytes(), "after step " + step);
                }
            }
            assertEquals(0, backend.liveBytes(), "closing the model and optimizer frees everything");
        }
    }

    @Test
    void epochsWithEvaluationKeepTheFootprint() {
        try (ReferenceBackend backend = new ReferenceBackend();
             Model model = Models.CNN.create(backend, 6);
             Sgd sgd = new Sgd(SgdSettings.lesson())) {
            List<Batch> train = new ArrayList<>();
            for (int i = 0; i < 6; i++) train.add(AllocationFailureTest.batch(i, 8));
            List<Batch> test = List.of(AllocationFailureTest.batch(100, 16), AllocationFailureTest.batch(101, 5));
            Trainer trainer = new Trainer(model, sgd, new Trainer.Listener() {
            });
            long footprint = -1;
            for (int epoch = 1; epoch <= 3; epoch++) {
                EpochMetrics metrics = trainer.epoch(epoch, train, train.size(), test, 10);
                assertNotNull(metrics);
                if (footprint < 0) footprint = backend.liveBytes();
                assertEquals(footprint, backend.liveBytes(), "after epoch " + epoch);
            }
            assertTrue(footprint > 0);
        }
    }

    @Test
    void movingAModelBetweenBackendsFreesTheOldCopies() {
        try (ReferenceBackend first = new ReferenceBackend(); ReferenceBackend second = new ReferenceBackend()) {
            try (Model model = Models.RESNET.create(first, 7); Sgd sgd = new Sgd(SgdSettings.lesson())) {
                TrainingStep.run(model, sgd, AllocationFailureTest.batch(1, 2), 0);
                long parameters = model.stateDict().values().stream().mapToLong(p -> p.shape().bytes()).sum();
                model.to(second);
                sgd.moveTo(second);
                assertEquals(0, first.liveBytes(), "nothing stays behind on the old backend");
                assertEquals(2 * parameters, second.liveBytes(), "parameters and momentum moved, gradients dropped");
                TrainingStep.run(model, sgd, AllocationFailureTest.batch(2, 2), 1);
                assertEquals(3 * parameters, second.liveBytes());
            }
            assertEquals(0, second.liveBytes());
        }
    }
}
