package dev.isthmus.testing;

import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Assertions on tensor values that say where they differ: the worst index, both values, the error. */
public final class TensorAssert {
    private TensorAssert() {
    }

    /**
     * Passes when every |actual − expected| ≤ abs + rel·|expected|; otherwise fails naming the
     * element that exceeds its tolerance most and how many elements do.
     */
    public static void assertClose(String what, float[] expected, float[] actual, double abs, double rel) {
        double[] e = new double[expected.length];
        for (int i = 0; i < e.length; i++) e[i] = expected[i];
        assertClose(what, e, actual, abs, rel);
    }

    public static void assertClose(String what, double[] expected, float[] actual, double abs, double rel) {
        assertEquals(expected.length, actual.length, what + ": element count");
        int worst = -1;
        double worstExcess = 0;
        int failures = 0;
        for (int i = 0; i < expected.length; i++) {
            double error = Math.abs(actual[i] - expected[i]);
            double tolerance = abs + rel * Math.abs(expected[i]);
            boolean bothNaN = Double.isNaN(actual[i]) && Double.isNaN(expected[i]);
            boolean bad = !bothNaN && !(error <= tolerance); // a lone NaN makes error NaN, which fails
            if (bad) {
                failures++;
                double excess = Double.isNaN(error) ? Double.POSITIVE_INFINITY : error / tolerance;
                if (worst < 0 || excess > worstExcess) {
                    worst = i;
                    worstExcess = excess;
                }
            }
        }
        if (failures > 0) {
            fail(String.format("%s: %d of %d elements out of tolerance (abs %.3g + rel %.3g); worst index %d: expected %.9g, actual %.9g, error %.3g",
                    what, failures, expected.length, abs, rel, worst, expected[worst], actual[worst], Math.abs(actual[worst] - expected[worst])));
        }
    }

    /** Shape and values of {@code actual} within tolerance. */
    public static void assertClose(String what, Shape shape, float[] expected, Tensor actual, double abs, double rel) {
        assertEquals(shape, actual.shape(), what + ": shape");
        assertClose(what, expected, actual.toArray(), abs, rel);
    }

    /** Equal bit patterns everywhere (so +0 vs −0 and different NaNs count as different). */
    public static void assertBitIdentical(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + ": element count");
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(what + ": element " + i + " differs: " + expected[i] + " vs " + actual[i] + " (first of "
                        + countDifferent(expected, actual) + " differing elements)");
            }
        }
    }

    private static int countDifferent(float[] a, float[] b) {
        int count = 0;
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) count++;
        }
        return count;
    }

    /** Flattens nested literal rows, for writing expected matrices the way PyTorch prints them. */
    public static float[] rows(float[]... rows) {
        return Arrays.stream(rows).reduce(new float[0], (a, b) -> {
            float[] joined = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, joined, a.length, b.length);
            return joined;
        });
    }
}
