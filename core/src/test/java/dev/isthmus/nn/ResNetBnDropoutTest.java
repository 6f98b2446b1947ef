package dev.isthmus.nn;

import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.tensor.Shape;
import dev.isthmus.train.Inference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** resnet-bn's dropout before the classifier: no state-dict entry, active in training only, refused on models without it. */
class ResNetBnDropoutTest {
    private static final Shape BATCH = Shape.of(4, 1, 28, 28);
    private final ReferenceBackend backend = new ReferenceBackend();

    @AfterEach
    void close() {
        backend.close();
    }

    private Model resnetBn(double p) {
        Model model = Models.RESNET_BN.createWithClasses(backend, 10, new Models.DropoutSetting(p, 7));
        model.initialize(3);
        return model;
    }

    private static float[] images() {
        SplittableRandom random = new SplittableRandom(11);
        float[] values = new float[Math.toIntExact(BATCH.numel())];
        for (int i = 0; i < values.length; i++) values[i] = (float) random.nextGaussian();
        return values;
    }

    @Test
    void dropoutAddsNoStateDictEntry() {
        try (Model plain = resnetBn(0); Model dropping = resnetBn(0.5)) {
            assertEquals(plain.state().keySet(), dropping.state().keySet());
            assertEquals(plain.parameterCount(), dropping.parameterCount());
        }
    }

    @Test
    void dropsInTrainingAndNotInEvalMode() {
        float[] images = images();
        try (Model plain = resnetBn(0); Model dropping = resnetBn(0.5)) {
            assertFalse(Arrays.equals(Inference.logits(plain, BATCH, images), Inference.logits(dropping, BATCH, images)),
                    "training mode drops");
            plain.eval();
            dropping.eval();
            assertArrayEquals(Inference.logits(plain, BATCH, images), Inference.logits(dropping, BATCH, images),
                    "eval mode passes everything through (and uses the same running statistics)");
        }
    }

    @Test
    void seekingReplaysAStepsMask() {
        float[] images = images();
        try (Model a = resnetBn(0.5); Model b = resnetBn(0.5)) {
            float[] first = Inference.logits(a, BATCH, images);     // step 0
            float[] second = Inference.logits(a, BATCH, images);    // step 1: a new mask
            assertFalse(Arrays.equals(first, second));
            b.seekDropout(1);
            assertArrayEquals(second, Inference.logits(b, BATCH, images), "the mask of step 1, drawn from seed and step alone");
        }
    }

    @Test
    void modelsWithoutDropoutRefuseItNamingTheOnesWithIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Models.CNN.createWithClasses(backend, 10, new Models.DropoutSetting(0.3, 1)));
        assertEquals("model 'cnn' has no dropout layer; --dropout applies to resnet-bn (pass --model resnet-bn, or leave out --dropout)",
                e.getMessage());
        assertTrue(Models.RESNET_BN.hasDropout());
        for (double p : new double[] {-0.1, 1, Double.NaN}) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> new Models.DropoutSetting(p, 1)).getMessage()
                    .startsWith("--dropout must be at least 0 and below 1, got "), "p " + p);
        }
    }
}
