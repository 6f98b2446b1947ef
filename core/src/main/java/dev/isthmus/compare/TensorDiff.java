package dev.isthmus.compare;

import dev.isthmus.tensor.Shape;

import java.util.Arrays;

/**
 * How far two backends' values of one tensor are apart.
 *
 * @param tensor      layer path or state-dict name ({@code conv1}, {@code incep1.branch3x3_2.weight}, {@code loss})
 * @param terms       float32 terms summed on the way to this tensor; the tolerance was scaled by its square root
 * @param magnitude   root mean square of side A's finite values; the kind's atol was scaled by it
 * @param tolerance   the effective, absolute tolerance (see {@link Tolerances})
 * @param maxAbs      largest {@code |a - b|}
 * @param maxRel      largest {@code |a - b| / max(|a|, |b|)} (symmetric and at most 2, so it stays finite)
 * @param worstRatio  largest {@code |a - b| / (atol + rtol·|a|)}: the share of the tolerance used, above 1 = mismatch
 * @param worstIndex  flat index of the element with the worst ratio ({@code -1} for an empty tensor or a shape mismatch)
 * @param worstA      backend A's value there
 * @param worstB      backend B's value there
 * @param problem     why the values could not be compared element by element (shapes differ), else null
 * @param note        how the values were compared when not element by element (e.g. tie-aware for a
 *                    max-pooling input gradient, see {@link MaxPoolTies}), else null
 */
public record TensorDiff(String tensor, TensorKind kind, Shape shape, long terms, double magnitude, Tolerance tolerance,
                         double maxAbs, long maxAbsIndex, double maxRel, long maxRelIndex,
                         double worstRatio, long worstIndex, float worstA, float worstB, String problem, String note) {

    /** Compares element by element under {@code tolerances}' rule for {@code kind}; {@code a} is the reference side. */
    public static TensorDiff compare(String tensor, TensorKind kind, Shape shape, float[] a, float[] b, long terms, Tolerances tolerances) {
        double magnitude = rms(a);
        return compare(tensor, kind, shape, a, b, terms, magnitude, tolerances.forTensor(kind, terms, magnitude));
    }

    /** Compares element by element under an absolute {@code tolerance}; {@code a} is the reference side. */
    public static TensorDiff compare(String tensor, TensorKind kind, Shape shape, float[] a, float[] b, long terms, Tolerance tolerance) {
        return compare(tensor, kind, shape, a, b, terms, rms(a), tolerance);
    }

    private static TensorDiff compare(String tensor, TensorKind kind, Shape shape, float[] a, float[] b, long terms, double magnitude,
                                      Tolerance tolerance) {
        if (a.length != b.length || a.length != shape.numel()) {
            return new TensorDiff(tensor, kind, shape, terms, magnitude, tolerance, Double.POSITIVE_INFINITY, -1, Double.POSITIVE_INFINITY, -1,
                    Double.POSITIVE_INFINITY, -1, Float.NaN, Float.NaN,
                    "backend A gave " + a.length + " values and backend B " + b.length + " for shape " + shape, null);
        }
        double maxAbs = 0, maxRel = 0, worstRatio = 0;
        int maxAbsIndex = a.length == 0 ? -1 : 0, maxRelIndex = maxAbsIndex, worstIndex = maxAbsIndex;
        for (int i = 0; i < a.length; i++) {
            float x = a[i], y = b[i];
            if (x == y || Float.compare(x, y) == 0) continue; // the common case: identical (NaN = NaN)
            double abs = Float.isFinite(x) && Float.isFinite(y) ? Math.abs((double) x - (double) y) : Double.POSITIVE_INFINITY;
            double rel = Double.isInfinite(abs) ? Double.POSITIVE_INFINITY : abs / Math.max(Math.abs(x), Math.abs(y));
            double ratio = tolerance.ratio(x, y);
            if (abs > maxAbs) {
                maxAbs = abs;
                maxAbsIndex = i;
            }
            if (rel > maxRel) {
                maxRel = rel;
                maxRelIndex = i;
            }
            if (ratio > worstRatio) {
                worstRatio = ratio;
                worstIndex = i;
            }
        }
        float worstA = worstIndex < 0 ? Float.NaN : a[worstIndex];
        float worstB = worstIndex < 0 ? Float.NaN : b[worstIndex];
        return new TensorDiff(tensor, kind, shape, terms, magnitude, tolerance, maxAbs, maxAbsIndex, maxRel, maxRelIndex,
                worstRatio, worstIndex, worstA, worstB, null, null);
    }

    /** The same comparison with a note on how it was made. */
    public TensorDiff withNote(String newNote) {
        return new TensorDiff(tensor, kind, shape, terms, magnitude, tolerance, maxAbs, maxAbsIndex, maxRel, maxRelIndex,
                worstRatio, worstIndex, worstA, worstB, problem, newNote);
    }

    /** Root mean square of the finite values (0 for none). */
    public static double rms(float[] values) {
        double sum = 0;
        long count = 0;
        for (float value : values) {
            if (Float.isFinite(value)) {
                sum += (double) value * value;
                count++;
            }
        }
        return count == 0 ? 0 : Math.sqrt(sum / count);
    }

    public boolean passed() {
        return worstRatio <= 1;
    }

    /** {@code conv2.weight (param-grad)}. */
    public String label() {
        return tensor + " (" + kind.id() + ")";
    }

    /** A flat index as NCHW coordinates, {@code [3, 7, 12, 4]}. */
    public String index(long flat) {
        long[] coordinates = coordinates(flat);
        return coordinates == null ? "-" : Arrays.toString(coordinates);
    }

    /** A flat index as coordinates along each axis of {@link #shape}; null for {@code -1}. */
    public long[] coordinates(long flat) {
        if (flat < 0) return null;
        int[] dims = shape.dims();
        long[] coordinates = new long[dims.length];
        long rest = flat;
        for (int axis = dims.length - 1; axis >= 0; axis--) {
            int size = Math.max(1, dims[axis]);
            coordinates[axis] = rest % size;
            rest /= size;
        }
        return coordinates;
    }

    /** One line saying where the worst element is, both values, the error and the tolerance. */
    public String describeWorst() {
        if (problem != null) return label() + ": " + problem;
        return label() + " at " + index(worstIndex) + ": a=" + Numbers.value(worstA) + ", b=" + Numbers.value(worstB)
                + ", |a-b|=" + Numbers.format(Math.abs((double) worstA - worstB))
                + (passed() ? " within " : " > ") + "tolerance " + Numbers.format(tolerance.bound(worstA))
                + " (" + tolerance + " for " + terms + " terms summed, RMS(a) " + Numbers.format(magnitude) + ")"
                + (note == null ? "" : "; " + note);
    }
}
