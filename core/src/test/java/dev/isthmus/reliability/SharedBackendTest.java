package dev.isthmus.reliability;

import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Models;
import dev.isthmus.train.Sgd;
import dev.isthmus.train.SgdSettings;
import dev.isthmus.train.TrainingStep;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.isthmus.testing.TensorAssert.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The reference backend is safe to share between threads (its documented contract): several threads
 * each training their own model on ONE backend at the same time get bit-identical weights to the same
 * runs made one after another, and the backend's byte count stays exact. What is not shared is a model,
 * an optimizer or a step scope: each belongs to one thread at a time. (The CUDA backend is confined to
 * the thread that opened it and refuses calls from others with an exception:
 * CudaConformanceSuite#callsFromAnotherThreadThrowButClosingATensorThereIsAllowed.)
 */
class SharedBackendTest {
    private static final int THREADS = 3;
    private static final int STEPS = 6;

    @Test
    void concurrentTrainingRunsOnOneBackendMatchSequentialOnes() throws Exception {
        List<Map<String, float[]>> sequential = new ArrayList<>();
        try (ReferenceBackend backend = new ReferenceBackend()) {
            for (int run = 0; run < THREADS; run++) sequential.add(train(backend, run));
            assertEquals(0, backend.liveBytes());
        }

        try (ReferenceBackend shared = new ReferenceBackend()) {
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<Map<String, float[]>>> concurrent = new ArrayList<>();
                for (int run = 0; run < THREADS; run++) {
                    int seed = run;
                    concurrent.add(pool.submit(() -> {
                        start.await();
                        return train(shared, seed);
                    }));
                }
                start.countDown();
                for (int run = 0; run < THREADS; run++) {
                    Map<String, float[]> expected = sequential.get(run);
                    Map<String, float[]> actual = concurrent.get(run).get();
                    for (String name : expected.keySet()) {
                        assertBitIdentical("run " + run + " " + name, expected.get(name), actual.get(name));
                    }
                }
            } finally {
                pool.shutdown();
            }
            assertEquals(0, shared.liveBytes(), "every run's tensors were counted and freed exactly");
        }
    }

    /** A few steps of the lesson's CNN from {@code seed}; returns the weights, with everything closed. */
    private static Map<String, float[]> train(ReferenceBackend backend, int seed) {
        try (Model model = Models.CNN.create(backend, seed); Sgd sgd = new Sgd(SgdSettings.lesson())) {
            for (int step = 0; step < STEPS; step++) {
                TrainingStep.run(model, sgd, AllocationFailureTest.batch(seed * 100L + step, 4), step);
            }
            Map<String, float[]> weights = new LinkedHashMap<>();
            model.stateDict().forEach((name, parameter) -> weights.put(name, parameter.value().toArray()));
            return weights;
        }
    }
}
