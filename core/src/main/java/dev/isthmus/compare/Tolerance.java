package dev.isthmus.compare;

/**
 * The allclose rule for one tensor: values {@code a} (backend A, the reference side) and {@code b}
 * agree when {@code |a - b| <= atol + rtol * |a|}. NaN agrees only with NaN and an infinity only
 * with the same infinity (a diverged run must diverge the same way on both sides).
 *
 * @param atol absolute part, zero or more
 * @param rtol relative part, zero or more
 */
public record Tolerance(double atol, double rtol) {

    /** Only equal values agree. */
    public static final Tolerance EXACT = new Tolerance(0, 0);

    /** Checks that both parts are finite and not negative. */
    public Tolerance {
        if (!(atol >= 0) || !(rtol >= 0) || Double.isInfinite(atol) || Double.isInfinite(rtol)) {
            throw new IllegalArgumentException("tolerance atol and rtol must be finite and zero or positive, got atol " + atol + ", rtol " + rtol);
        }
    }

    /**
     * The largest |a - b| allowed for reference value {@code a}.
     *
     * @param a the reference value
     * @return atol + rtol·|a|
     */
    public double bound(double a) {
        return atol + rtol * Math.abs(a);
    }

    /**
     * How much of the tolerance {@code |a - b|} uses: 0 for equal values, above 1 when they disagree,
     * infinite for any difference under an exact tolerance or for mismatched non-finite values.
     *
     * @param a the reference value
     * @param b the other value
     * @return the share of the tolerance used
     */
    public double ratio(float a, float b) {
        if (Float.compare(a, b) == 0 || a == b) return 0; // equal, NaN = NaN, -0 = +0
        if (!Float.isFinite(a) || !Float.isFinite(b)) return Double.POSITIVE_INFINITY;
        double difference = Math.abs((double) a - (double) b);
        double bound = bound(a);
        return bound == 0 ? Double.POSITIVE_INFINITY : difference / bound;
    }

    /**
     * Whether two values agree.
     *
     * @param a the reference value
     * @param b the other value
     * @return true when {@code ratio(a, b) <= 1}
     */
    public boolean allows(float a, float b) {
        return ratio(a, b) <= 1;
    }

    @Override
    public String toString() {
        return "atol " + Numbers.format(atol) + " + rtol " + Numbers.format(rtol) + "·|a|";
    }
}
