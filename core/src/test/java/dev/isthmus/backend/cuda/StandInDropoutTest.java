package dev.isthmus.backend.cuda;

import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.nn.Dropout;
import dev.isthmus.nn.DropoutTestAccess;
import dev.isthmus.testing.TestTensors;
import dev.isthmus.testing.standin.CudaStandIn;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** The CUDA backend (on the stand-in) applies the same dropout mask as the reference for the same seed and step, bit for bit. */
@Tag("standin")
class StandInDropoutTest {
    @Test
    void cudaAndReferenceDropTheSameElements() {
        CudaStandIn.useForCudaBackend();
        float[] x = TestTensors.uniform(5, DropoutTestAccess.SIZE);
        float[] dy = TestTensors.uniform(6, DropoutTestAccess.SIZE);
        try (ReferenceBackend reference = new ReferenceBackend(); CudaBackend cuda = CudaBackend.open()) {
            float[][] expected = DropoutTestAccess.step(reference, new Dropout(0.3, 11), x, dy);
            float[][] actual = DropoutTestAccess.step(cuda, new Dropout(0.3, 11), x, dy);
            assertArrayEquals(expected[0], actual[0]);
            assertArrayEquals(expected[1], actual[1]);
        }
    }
}
