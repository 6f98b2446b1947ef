package dev.isthmus.compare;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * Per-kind tolerances for comparing two float32 backends, scaled for each tensor by how much
 * float32 arithmetic went into it and by its magnitude.
 * <p>
 * <b>Rule.</b> Element values {@code a} (backend A) and {@code b} agree when
 * {@code |a - b| <= (atol·RMS(a) + rtol·|a|) · √n}, with the base {@code atol} and {@code rtol} of
 * the tensor's {@link TensorKind}, {@code RMS(a)} the root mean square of the tensor on side A, and
 * {@code n} the number of float32 terms summed on the way to the tensor: the op's own reduction
 * length (C·R·S for a convolution's output, N·P·Q for its weight gradient, the input features for a
 * linear layer, 1 for elementwise ops) plus that of the tensors it was computed from (see
 * {@link ModelComparison}). It is numpy's {@code allclose} with atol expressed in units of the tensor.
 * <p>
 * <b>Why √n.</b> Rounding a float32 sum of n terms in some order leaves an error of about
 * √n·u·Σ|terms| when the rounding errors are independent (Higham's probabilistic bound;
 * u = 2⁻²⁴ ≈ 6·10⁻⁸); the worst case n·u is far too loose for the 36,864-term weight gradients of
 * the lesson's first convolution. Two correct backends sum in different orders (cuDNN tiles,
 * splits reductions across thread blocks, may use Winograd or FFT transforms), so they differ by
 * about that much.
 * <p>
 * <b>Why atol is relative to RMS(a).</b> atol exists for elements near zero, where a sum's terms
 * cancelled: their error is that of the terms, so it follows the tensor's typical size, not the
 * element's. Magnitudes vary by orders between tensors (activation gradients carry the 1/batch of
 * the mean loss; single-op mode feeds O(1) gradients), so an absolute atol would be too tight for
 * some and meaningless for others.
 * <p>
 * <b>Base values.</b> rtol 3·10⁻⁵ ≈ 500·u and atol 10⁻⁵ ≈ 170·u per √term. Direct summation in
 * another order needs far less; the headroom is for cancellation and for cuDNN's Winograd and FFT
 * convolution algorithms, whose transforms lose one to two more digits than direct summation.
 * Parameters after the update get ten times less (atol 10⁻⁶, rtol 3·10⁻⁶), since the update only
 * adds lr·(gradient error) to a value of its own size. On the CPU stand-in of the CUDA libraries
 * (direct summation in another order) the largest differences over six training steps of each
 * lesson model, at batch 1 and 32, used at most 1.2% of these tolerances. A real bug (a wrong index,
 * transpose or sign) gives errors of order 1, thousands of times beyond them.
 * <p>
 * These assume float32 math on both sides (TF32 tensor-core math keeps only 10 mantissa bits and
 * needs roughly 1000× looser values). {@link #exact()} demands bitwise-equal results, which is what
 * two runs of the deterministic reference backend give.
 */
public final class Tolerances {
    private static final Map<TensorKind, Tolerance> DEFAULTS = defaultsTable();

    private final Map<TensorKind, Tolerance> base;

    private Tolerances(Map<TensorKind, Tolerance> base) {
        this.base = Collections.unmodifiableMap(new EnumMap<>(base));
    }

    private static Map<TensorKind, Tolerance> defaultsTable() {
        Map<TensorKind, Tolerance> table = new EnumMap<>(TensorKind.class);
        table.put(TensorKind.ACTIVATION, new Tolerance(1e-5, 3e-5));
        table.put(TensorKind.ACTIVATION_GRAD, new Tolerance(1e-5, 3e-5));
        table.put(TensorKind.PARAM_GRAD, new Tolerance(1e-5, 3e-5));
        table.put(TensorKind.PARAM, new Tolerance(1e-6, 3e-6));
        table.put(TensorKind.LOSS, new Tolerance(1e-5, 3e-5));
        return table;
    }

    /**
     * The documented float32 defaults (see the class comment).
     *
     * @return the defaults
     */
    public static Tolerances defaults() {
        return new Tolerances(DEFAULTS);
    }

    /**
     * Zero tolerance for every kind: only bitwise-equal values (NaN = NaN) agree.
     *
     * @return exact tolerances
     */
    public static Tolerances exact() {
        Map<TensorKind, Tolerance> table = new EnumMap<>(TensorKind.class);
        for (TensorKind kind : TensorKind.values()) table.put(kind, Tolerance.EXACT);
        return new Tolerances(table);
    }

    /**
     * The base (per √term) tolerance of a kind.
     *
     * @param kind the kind
     * @return its base tolerance
     */
    public Tolerance base(TensorKind kind) {
        return base.get(kind);
    }

    /**
     * The base tolerance of every kind.
     *
     * @return the table
     */
    public Map<TensorKind, Tolerance> bases() {
        return base;
    }

    /**
     * Whether every kind has zero tolerance.
     *
     * @return true for {@link #exact()}
     */
    public boolean isExact() {
        return base.values().stream().allMatch(Tolerance.EXACT::equals);
    }

    /**
     * These tolerances with one kind's base replaced.
     *
     * @param kind      the kind
     * @param tolerance its new base
     * @return new tolerances
     */
    public Tolerances with(TensorKind kind, Tolerance tolerance) {
        Map<TensorKind, Tolerance> table = new EnumMap<>(base);
        table.put(kind, tolerance);
        return new Tolerances(table);
    }

    /**
     * These tolerances with one kind's absolute part replaced.
     *
     * @param kind the kind
     * @param atol its new absolute part
     * @return new tolerances
     */
    public Tolerances withAtol(TensorKind kind, double atol) {
        return with(kind, new Tolerance(atol, base(kind).rtol()));
    }

    /**
     * These tolerances with one kind's relative part replaced.
     *
     * @param kind the kind
     * @param rtol its new relative part
     * @return new tolerances
     */
    public Tolerances withRtol(TensorKind kind, double rtol) {
        return with(kind, new Tolerance(base(kind).atol(), rtol));
    }

    /**
     * Applies a setting written {@code kind=atol:rtol}, e.g. {@code param-grad=1e-7:1e-4}.
     *
     * @param setting the setting
     * @return new tolerances
     */
    public Tolerances with(String setting) {
        int equals = setting.indexOf('=');
        int colon = setting.indexOf(':', Math.max(equals, 0));
        if (equals <= 0 || colon < 0) {
            throw new IllegalArgumentException("tolerance '" + setting + "' is not kind=atol:rtol (for example param-grad=1e-7:1e-4)");
        }
        TensorKind kind = TensorKind.byId(setting.substring(0, equals).strip());
        try {
            double atol = Double.parseDouble(setting.substring(equals + 1, colon).strip());
            double rtol = Double.parseDouble(setting.substring(colon + 1).strip());
            return with(kind, new Tolerance(atol, rtol));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("tolerance '" + setting + "': atol and rtol must be numbers (for example param-grad=1e-7:1e-4)");
        }
    }

    /**
     * The absolute tolerance for a tensor of {@code kind} into which {@code terms} float32 terms were
     * summed and whose side-A values have root mean square {@code magnitude}.
     *
     * @param kind      the kind
     * @param terms     float32 terms summed into each element
     * @param magnitude root mean square of side A's values
     * @return the absolute tolerance
     */
    public Tolerance forTensor(TensorKind kind, long terms, double magnitude) {
        Tolerance base = base(kind);
        double scale = scale(terms);
        return new Tolerance(base.atol() * magnitude * scale, base.rtol() * scale);
    }

    /**
     * √n, at least 1.
     *
     * @param terms n
     * @return the scale of the tolerance
     */
    public static double scale(long terms) {
        return Math.sqrt(Math.max(1, terms));
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        base.forEach((kind, tolerance) -> text.append(text.isEmpty() ? "" : ", ").append(kind.id()).append(' ')
                .append(Numbers.format(tolerance.atol())).append(':').append(Numbers.format(tolerance.rtol())));
        return text.toString();
    }
}
