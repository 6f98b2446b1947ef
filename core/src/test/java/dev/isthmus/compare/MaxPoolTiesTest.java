package dev.isthmus.compare;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.nn.Models;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;
import dev.isthmus.testing.ForwardingBackend;
import dev.isthmus.train.Batch;
import dev.isthmus.train.SgdSettings;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tie-aware comparison of max-pooling input gradients, and {@code compare} naming the case. */
class MaxPoolTiesTest {
    // One plane 2x4, two 2x2 windows: the left one has three maxima (positions 0, 1, 5), the right one one (position 3).
    private static final Shape INPUT = Shape.of(1, 1, 2, 4);
    private static final float[] X = {1, 1, 0, 2, 0, 1, 0, 0};

    @Test
    void tiedMaximaFormOneGroupWhoseMassSitsOnItsFirstPosition() {
        MaxPoolTies ties = MaxPoolTies.of(INPUT, Pool2dSpec.of(2), X);
        float[] firstMaximum = {5, 0, 0, 7, 0, 0, 0, 0};
        float[] lastMaximum = {0, 0, 0, 7, 0, 5, 0, 0};

        assertEquals(1, ties.tiedWindows());
        assertEquals(2, ties.windows());
        assertArrayEquals(firstMaximum, ties.canonical(lastMaximum));
        assertArrayEquals(firstMaximum, ties.canonical(firstMaximum));
        assertEquals(2, MaxPoolTies.differingPositions(firstMaximum, lastMaximum));
    }

    @Test
    void gradientOutsideTheMaximaOrWithTheWrongMassStillDiffers() {
        MaxPoolTies ties = MaxPoolTies.of(INPUT, Pool2dSpec.of(2), X);
        float[] reference = ties.canonical(new float[] {5, 0, 0, 7, 0, 0, 0, 0});

        float[] leaked = {0, 0, 0, 7, 5, 0, 0, 0}; // position 4 holds 0, not a maximum
        float[] everyMaximum = {5, 5, 0, 7, 0, 5, 0, 0}; // each tied maximum got the whole gradient
        assertFalse(Arrays.equals(reference, ties.canonical(leaked)));
        assertFalse(Arrays.equals(reference, ties.canonical(everyMaximum)));
    }

    @Test
    void overlappingWindowsJoinTheirTiesAndBothSidesInputsCount() {
        // 1x1x1x5, window 3 stride 1: windows {0,1,2}, {1,2,3}, {2,3,4}. Side A ties 1 and 2 only; side B also 3.
        Shape row = Shape.of(1, 1, 1, 5);
        Pool2dSpec spec = new Pool2dSpec(1, 3, 1, 1, 0, 0);
        float[] a = {0, 4, 4, 3, 0};
        float[] b = {0, 4, 4, 4, 0};

        MaxPoolTies both = MaxPoolTies.of(row, spec, a, b);

        assertArrayEquals(new float[] {0, 6, 0, 0, 0}, both.canonical(new float[] {0, 1, 2, 3, 0}));
        assertEquals(3, both.tiedWindows());
    }

    /** The reference's max-pool backward, except that each window's gradient goes to its last maximum. */
    private static final class LastMaximumBackend extends ForwardingBackend {
        private final boolean everyMaximum;

        LastMaximumBackend(boolean everyMaximum) {
            super(new ReferenceBackend());
            this.everyMaximum = everyMaximum;
        }

        public Tensor maxPool2dBackward(Tensor input, Tensor output, Tensor gradOutput, Pool2dSpec spec) {
            Shape in = input.shape();
            float[] x = input.toArray();
            float[] dy = gradOutput.toArray();
            float[] dx = new float[x.length];
            int planes = in.dim(0) * in.dim(1), h = in.dim(2), w = in.dim(3);
            Shape out = spec.outputShape("maxPool2d", in);
            for (int plane = 0; plane < planes; plane++) {
                for (int p = 0; p < out.dim(2); p++) {
                    for (int q = 0; q < out.dim(3); q++) {
                        float g = dy[(plane * out.dim(2) + p) * out.dim(3) + q];
                        float max = Float.NEGATIVE_INFINITY;
                        int last = -1;
                        for (int r = 0; r < spec.kernelH(); r++) {
                            for (int s = 0; s < spec.kernelW(); s++) {
                                int hh = p * spec.strideH() - spec.padH() + r, ww = q * spec.strideW() - spec.padW() + s;
                                if (hh < 0 || hh >= h || ww < 0 || ww >= w) continue;
                                int i = (plane * h + hh) * w + ww;
                                if (x[i] >= max) {
                                    if (everyMaximum && x[i] == max) dx[i] += g;
                                    max = x[i];
                                    last = i;
                                }
                            }
                        }
                        dx[last] += g;
                    }
                }
            }
            return backend().fromArray(in, dx);
        }
    }

    /** Black images with one bright square: conv1's output is flat (its bias) on the background, so pool1 has ties. */
    private static Batch flatBackgroundBatch() {
        int n = 4;
        float[] images = new float[n * 28 * 28];
        for (int k = 0; k < n; k++) {
            for (int r = 8 + k; r < 16 + k; r++) {
                for (int c = 10; c < 18; c++) images[k * 784 + r * 28 + c] = 1f + 0.1f * c;
            }
        }
        return new Batch(Shape.of(n, 1, 28, 28), images, new int[] {0, 1, 2, 3});
    }

    private static StepReport oneStep(Backend b) {
        try (ModelComparison comparison = new ModelComparison(new ReferenceBackend(), b, Models.CNN, 3, SgdSettings.lesson(),
                Tolerances.defaults())) {
            return comparison.step(flatBackgroundBatch());
        }
    }

    private static TensorDiff pool1Gradient(StepReport step) {
        return step.tensors().stream().filter(d -> d.tensor().equals("pool1") && d.kind() == TensorKind.ACTIVATION_GRAD)
                .findFirst().orElseThrow();
    }

    @Test
    void compareAcceptsAnotherTiedMaximumAndSaysSo() {
        StepReport step = oneStep(new LastMaximumBackend(false).backend());

        assertTrue(step.passed(), () -> step.firstFailure().map(TensorDiff::describeWorst).orElse(""));
        TensorDiff pool1 = pool1Gradient(step);
        assertTrue(pool1.note().startsWith("max-pool ties: "), pool1.note());
        assertTrue(pool1.note().contains("the gradient went to another of the tied maxima"), pool1.note());
        ComparisonReport report = new ComparisonReport("reference", "last-max", "model cnn", Map.of(), Tolerances.defaults(),
                java.util.List.of(step));
        assertTrue(report.notes().getFirst().startsWith("pool1 (activation-grad), 1 of 1 steps; first at step 1: max-pool ties: "),
                report.notes().toString());
        assertNull(pool1Gradient(oneStep(new ReferenceBackend())).note(), "no note where the gradients agree element by element");
    }

    @Test
    void compareRejectsGradientCopiedToEveryTiedMaximumAndNamesTheTies() {
        StepReport step = oneStep(new LastMaximumBackend(true).backend());

        assertFalse(step.passed());
        TensorDiff first = step.firstFailure().orElseThrow();
        assertEquals("pool1", first.tensor());
        assertTrue(first.describeWorst().contains("max-pool ties do not explain this difference"), first.describeWorst());
    }
}
