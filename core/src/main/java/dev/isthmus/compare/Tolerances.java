package dev.isthmus.compare;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * Per-kind tolerances for comparing two float32 backends, scaled for each tensor by how much
 * float32 arithmetic went into it.
 * <p>
 * <b>Rule.</b> A tensor's values agree when {@code |a - b| <= (atol + rtol·|a|) · √n} for the base
 * {@code atol}, {@code rtol} of its {@link TensorKind}, where {@code n} is the number of float32
 * terms summed on the way to the tensor: the op's own reduction length (C·R·S for a convolution's
 * output, N·P·Q for its weight gradient, the input features for a linear layer, 1 for elementwise
 * ops) plus that of the tensors it was computed from (see {@code ModelComparison}).
 * <p>
 * <b>Why √n.</b> Rounding a float32 sum of n terms in some order leaves an error of about
 * √n·u·Σ|terms| when the rounding errors are independent (Higham's probabilistic bound;
 * u = 2⁻²⁴ ≈ 6·10⁻⁸); the worst case n·u is far too loose for the 36,864-term weight gradients of
 * the lesson's first convolution. Two correct backends sum in different orders (cuDNN tiles,
 * splits reductions across thread blocks, may use Winograd or FFT transforms), so they differ by
 * about that much.
 * <p>
 * <b>Base values</b> (per √term). rtol 10⁻⁵ ≈ 170·u leaves room for cancellation (|Σ terms| is
 * often far below Σ|terms|) and for the one or two digits Winograd/FFT convolution algorithms lose;
 * parameters after the update get rtol 10⁻⁶ since the update only adds lr·Δgradient to a value of
 * its own size. atol covers values near zero, where rtol·|a| vanishes, and follows each kind's
 * typical magnitude: activations and the loss are O(1) (atol 10⁻⁶); parameter gradients 10⁻³..10⁻¹
 * (10⁻⁸); activation gradients carry the 1/batch of the mean loss, 10⁻⁵..10⁻² (10⁻⁹); parameters
 * 10⁻²..10⁻¹ but change only by lr·gradient (10⁻⁸).
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
        table.put(TensorKind.ACTIVATION, new Tolerance(1e-6, 1e-5));
        table.put(TensorKind.ACTIVATION_GRAD, new Tolerance(1e-9, 1e-5));
        table.put(TensorKind.PARAM_GRAD, new Tolerance(1e-8, 1e-5));
        table.put(TensorKind.PARAM, new Tolerance(1e-8, 1e-6));
        table.put(TensorKind.LOSS, new Tolerance(1e-6, 1e-5));
        return table;
    }

    /** The documented float32 defaults (see the class comment). */
    public static Tolerances defaults() {
        return new Tolerances(DEFAULTS);
    }

    /** Zero tolerance for every kind: only bitwise-equal values (NaN = NaN) agree. */
    public static Tolerances exact() {
        Map<TensorKind, Tolerance> table = new EnumMap<>(TensorKind.class);
        for (TensorKind kind : TensorKind.values()) table.put(kind, Tolerance.EXACT);
        return new Tolerances(table);
    }

    /** The base (per √term) tolerance of a kind. */
    public Tolerance base(TensorKind kind) {
        return base.get(kind);
    }

    public Map<TensorKind, Tolerance> bases() {
        return base;
    }

    public boolean isExact() {
        return base.values().stream().allMatch(Tolerance.EXACT::equals);
    }

    public Tolerances with(TensorKind kind, Tolerance tolerance) {
        Map<TensorKind, Tolerance> table = new EnumMap<>(base);
        table.put(kind, tolerance);
        return new Tolerances(table);
    }

    public Tolerances withAtol(TensorKind kind, double atol) {
        return with(kind, new Tolerance(atol, base(kind).rtol()));
    }

    public Tolerances withRtol(TensorKind kind, double rtol) {
        return with(kind, new Tolerance(base(kind).atol(), rtol));
    }

    /** Applies a setting written {@code kind=atol:rtol}, e.g. {@code param-grad=1e-7:1e-4}. */
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

    /** The tolerance for a tensor of {@code kind} into which {@code terms} float32 terms were summed. */
    public Tolerance forTensor(TensorKind kind, long terms) {
        return base(kind).scaled(scale(terms));
    }

    /** √n, at least 1. */
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
