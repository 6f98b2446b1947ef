package dev.isthmus.infer;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.cuda.CudaBackend;
import dev.isthmus.backend.cuda.CudaOptions;
import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.data.DatasetKind;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Models;
import dev.isthmus.testing.standin.CudaStandIn;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A predictor on the CUDA backend (running on the CPU stand-in of the CUDA libraries): it gives the
 * reference backend's classes, and belongs to the thread that created it.
 */
@Tag("standin")
class StandInPredictorTest {

    @BeforeAll
    static void useStandIn() {
        CudaStandIn.useForCudaBackend();
    }

    @Test
    void aCudaPredictorAgreesWithTheReferenceAndRefusesOtherThreads() throws Exception {
        SplittableRandom random = new SplittableRandom(4);
        float[] image = new float[784];
        for (int i = 0; i < image.length; i++) image[i] = (float) random.nextGaussian();
        InputSpec input = InputSpec.of(DatasetKind.MNIST);
        try (Backend reference = new ReferenceBackend(); Backend cuda = CudaBackend.open(CudaOptions.defaults());
             Model onReference = Models.CNN.create(reference, 8); Model onCuda = Models.CNN.create(cuda, 8)) {
            Prediction expected = Predictor.of(onReference, input).predict(image);
            Predictor predictor = Predictor.of(onCuda, input);
            Prediction actual = predictor.predict(image);
            assertEquals(expected.predicted(), actual.predicted());
            assertArrayEquals(expected.probabilities(), actual.probabilities(), 1e-5f);
            ExecutorService other = Executors.newSingleThreadExecutor();
            try {
                Future<?> elsewhere = other.submit(() -> predictor.predict(image));
                var thrown = assertThrows(java.util.concurrent.ExecutionException.class, elsewhere::get);
                assertTrue(thrown.getCause() instanceof IllegalStateException, thrown.toString());
                assertTrue(thrown.getCause().getMessage().contains("belongs to thread"), thrown.getCause().getMessage());
            } finally {
                other.shutdownNow();
            }
        }
    }
}
