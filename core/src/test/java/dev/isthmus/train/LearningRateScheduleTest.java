package dev.isthmus.train;

import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-epoch rates against PyTorch's StepLR, CosineAnnealingLR and a linear warm-up, worked out by hand. */
class LearningRateScheduleTest {
    private static float[] rates(LearningRateSchedule schedule) {
        float[] rates = new float[schedule.epochs()];
        IntStream.range(0, rates.length).forEach(i -> rates[i] = schedule.at(i + 1));
        return rates;
    }

    @Test
    void constantIsTheBaseRateBitForBit() {
        float lr = 0.01f;
        for (float rate : rates(LearningRateSchedule.constant(lr, 10))) assertEquals(Float.floatToIntBits(lr), Float.floatToIntBits(rate));
    }

    @Test
    void stepDividesByTenEveryStepEpochs() {
        assertArrayEquals(new float[] {0.1f, 0.1f, 0.1f, 0.01f, 0.01f, 0.01f, 0.001f},
                rates(new LearningRateSchedule(LearningRateSchedule.Kind.STEP, 0.1f, 7, 0, 3)), 1e-9f);
    }

    @Test
    void cosineAnnealsFromTheBaseTowardsZero() {
        assertArrayEquals(new float[] {0.1f, 0.085355339f, 0.05f, 0.014644661f},
                rates(new LearningRateSchedule(LearningRateSchedule.Kind.COSINE, 0.1f, 4, 0, 1)), 1e-8f);
    }

    @Test
    void warmUpRisesLinearlyThenTheScheduleStartsAtTheBase() {
        assertArrayEquals(new float[] {0.05f, 0.1f, 0.1f, 0.085355339f, 0.05f, 0.014644661f},
                rates(new LearningRateSchedule(LearningRateSchedule.Kind.COSINE, 0.1f, 6, 2, 1)), 1e-8f);
    }

    @Test
    void badSettingsNameTheOption() {
        String tooLong = assertThrows(IllegalArgumentException.class,
                () -> new LearningRateSchedule(LearningRateSchedule.Kind.COSINE, 0.1f, 3, 3, 1)).getMessage();
        assertTrue(tooLong.startsWith("--warmup-epochs 3 is not shorter than the run (--epochs 3)"), tooLong);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.Kind.byId("linear")).getMessage()
                .contains("choose constant, step or cosine"));
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(LearningRateSchedule.Kind.STEP, 0.1f, 3, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(LearningRateSchedule.Kind.STEP, 0.1f, 3, -1, 1));
    }
}
