package dev.isthmus.testing.standin;

import dev.isthmus.bindings.cudnn.Cudnn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The stand-in's batch normalisation against values worked out by hand, and the BAD_PARAM cases cuDNN
 * documents for cudnnBatchNormalizationForwardTraining/Inference/Backward.
 */
@Tag("standin")
class StandInBatchNormTest {
    private StandInSession session;
    private MemorySegment one;
    private MemorySegment zero;
    private final int spatial = Cudnn.CUDNN_BATCHNORM_SPATIAL();

    @BeforeEach
    void open() {
        session = new StandInSession();
        one = session.scalar(1f);
        zero = session.scalar(0f);
    }

    @AfterEach
    void close() {
        session.close();
    }

    /** One channel, N = 2, 1×2 images: {1, 2, 3, 4}, mean 2.5, biased variance 1.25, unbiased 5/3. */
    @Test
    void trainingUsesBatchStatisticsAndUpdatesRunningOnesWithTheUnbiasedVariance() {
        MemorySegment xDesc = session.tensor(2, 1, 1, 2);
        MemorySegment pDesc = session.createTensor();
        session.cudnn(Cudnn.cudnnDeriveBNTensorDescriptor(pDesc, xDesc, spatial), "cudnnDeriveBNTensorDescriptor");
        MemorySegment x = session.device(1, 2, 3, 4);
        MemorySegment y = session.deviceFloats(4);
        MemorySegment scale = session.device(2), bias = session.device(1);
        MemorySegment runningMean = session.device(0), runningVar = session.device(1);
        MemorySegment savedMean = session.deviceFloats(1), savedInvStd = session.deviceFloats(1);
        session.cudnn(Cudnn.cudnnBatchNormalizationForwardTraining(session.cudnn, spatial, one, zero, xDesc, x, xDesc, y, pDesc, scale, bias,
                0.1, runningMean, runningVar, 0.0, savedMean, savedInvStd), "cudnnBatchNormalizationForwardTraining");
        float invStd = (float) (1 / Math.sqrt(1.25));
        float[] expected = new float[4];
        for (int i = 0; i < 4; i++) expected[i] = (i + 1 - 2.5f) * invStd * 2 + 1;
        assertArrayEquals(expected, session.read(y, 4), 1e-6f);
        assertArrayEquals(new float[] {2.5f}, session.read(savedMean, 1), 1e-6f);
        assertArrayEquals(new float[] {invStd}, session.read(savedInvStd, 1), 1e-6f);
        assertArrayEquals(new float[] {0.25f}, session.read(runningMean, 1), 1e-6f);
        assertArrayEquals(new float[] {0.9f + 0.1f * 5 / 3f}, session.read(runningVar, 1), 1e-6f);

        // Eval with the running statistics.
        session.cudnn(Cudnn.cudnnBatchNormalizationForwardInference(session.cudnn, spatial, one, zero, xDesc, x, xDesc, y, pDesc, scale, bias,
                runningMean, runningVar, 0.0), "cudnnBatchNormalizationForwardInference");
        double runningInvStd = 1 / Math.sqrt(0.9 + 0.1 * 5 / 3.0);
        for (int i = 0; i < 4; i++) expected[i] = (float) ((i + 1 - 0.25) * runningInvStd * 2 + 1);
        assertArrayEquals(expected, session.read(y, 4), 1e-5f);

        // Backward: dbias = Σdy, dscale = Σdy·x̂, and dx is orthogonal to 1 and to x̂ (the mean and variance paths).
        MemorySegment dy = session.device(1, 0, 0, 0);
        MemorySegment dx = session.deviceFloats(4), dScale = session.deviceFloats(1), dBias = session.deviceFloats(1);
        session.cudnn(Cudnn.cudnnBatchNormalizationBackward(session.cudnn, spatial, one, zero, one, zero, xDesc, x, xDesc, dy, xDesc, dx, pDesc,
                scale, dScale, dBias, 0.0, savedMean, savedInvStd), "cudnnBatchNormalizationBackward");
        assertArrayEquals(new float[] {1}, session.read(dBias, 1), 1e-6f);
        assertArrayEquals(new float[] {-1.5f * invStd}, session.read(dScale, 1), 1e-6f);
        float[] g = session.read(dx, 4);
        double sum = 0, projection = 0;
        for (int i = 0; i < 4; i++) {
            sum += g[i];
            projection += g[i] * (i + 1 - 2.5) * invStd;
        }
        assertEquals(0, sum, 1e-6);
        assertEquals(0, projection, 1e-6);
        assertEquals(2 * invStd / 4 * (4 - 1 - 1.5 * invStd * 1.5 * invStd), g[0], 1e-6);
    }

    @Test
    void documentedBadParametersAreRefused() {
        MemorySegment xDesc = session.tensor(2, 1, 1, 2);
        MemorySegment pDesc = session.tensor(1, 1, 1, 1);
        MemorySegment wrongP = session.tensor(1, 2, 1, 1);
        MemorySegment otherY = session.tensor(2, 1, 2, 1);
        MemorySegment x = session.device(1, 2, 3, 4), y = session.deviceFloats(4);
        MemorySegment p = session.device(1), q = session.device(0), r = session.device(1), s = session.deviceFloats(1);
        int bad = Cudnn.CUDNN_STATUS_BAD_PARAM();
        assertEquals(bad, Cudnn.cudnnBatchNormalizationForwardTraining(session.cudnn, spatial, one, zero, xDesc, x, xDesc, y, pDesc, p, q,
                0.1, r, r, -1e-5, s, s), "epsilon below CUDNN_BN_MIN_EPSILON");
        assertEquals(bad, Cudnn.cudnnBatchNormalizationForwardTraining(session.cudnn, spatial, one, zero, xDesc, x, xDesc, y, wrongP, p, q,
                0.1, r, r, 1e-5, s, s), "scale descriptor not 1xCx1x1");
        assertEquals(bad, Cudnn.cudnnBatchNormalizationForwardTraining(session.cudnn, spatial, one, zero, xDesc, x, otherY, y, pDesc, p, q,
                0.1, r, r, 1e-5, s, s), "x and y descriptors differ");
        assertEquals(bad, Cudnn.cudnnBatchNormalizationForwardTraining(session.cudnn, 7, one, zero, xDesc, x, xDesc, y, pDesc, p, q,
                0.1, r, r, 1e-5, s, s), "unknown mode");
        assertEquals(bad, Cudnn.cudnnBatchNormalizationForwardTraining(session.cudnn, spatial, one, zero, xDesc, x, xDesc, y, pDesc, p, q,
                0.1, r, r, 1e-5, s, MemorySegment.NULL), "exactly one saved pointer NULL");
        assertEquals(bad, Cudnn.cudnnBatchNormalizationForwardTraining(session.cudnn, spatial, one, zero, xDesc, x, xDesc, y, pDesc, p, q,
                0.1, MemorySegment.NULL, r, 1e-5, s, s), "exactly one running pointer NULL");
        assertEquals(bad, Cudnn.cudnnBatchNormalizationForwardInference(session.cudnn, spatial, one, zero, xDesc, x, xDesc, y, pDesc,
                MemorySegment.NULL, q, q, r, 1e-5), "bnScale NULL");
        assertEquals(bad, Cudnn.cudnnBatchNormalizationBackward(session.cudnn, spatial, one, zero, one, zero, xDesc, x, otherY, x, xDesc, y,
                pDesc, p, s, s, 1e-5, q, r), "dy descriptor differs from x");
        MemorySegment perActivation = session.createTensor();
        session.cudnn(Cudnn.cudnnDeriveBNTensorDescriptor(perActivation, xDesc, Cudnn.CUDNN_BATCHNORM_PER_ACTIVATION()), "derive");
        assertEquals(bad, Cudnn.cudnnBatchNormalizationForwardInference(session.cudnn, spatial, one, zero, xDesc, x, xDesc, y, perActivation,
                p, q, q, r, 1e-5), "a per-activation (1xCxHxW) descriptor in spatial mode");
    }
}
