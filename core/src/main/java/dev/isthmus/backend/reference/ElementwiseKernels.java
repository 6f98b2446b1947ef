package dev.isthmus.backend.reference;

import dev.isthmus.backend.AdamStep;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;

/**
 * Elementwise ops straight on native memory; they are memory-bound, so no copies to arrays.
 * The loops count with an {@code int} (tensors of the reference backend hold fewer than 2^31 elements):
 * with a {@code long} induction variable C2 hoisted a range-check predicate out of {@code reluBackward}'s
 * loop that kept failing, and the method was deoptimised 100 times and recompiled 47 times, about 5.6 s of
 * compiler time in the first epoch of the CNN on two cores (JFR: jdk.Deoptimization "profile_predicate").
 */
final class ElementwiseKernels {
    private ElementwiseKernels() {
    }

    /** y = max(x, 0) for elements [from, to); NaN stays NaN, as in PyTorch. */
    static void relu(MemorySegment x, MemorySegment y, int from, int to) {
        for (int i = from; i < to; i++) {
            y.setAtIndex(JAVA_FLOAT_UNALIGNED, i, Math.max(x.getAtIndex(JAVA_FLOAT_UNALIGNED, i), 0f));
        }
    }

    /** dx = dy where the forward output y > 0, else 0, for elements [from, to). */
    static void reluBackward(MemorySegment y, MemorySegment dy, MemorySegment dx, int from, int to) {
        for (int i = from; i < to; i++) {
            float gradient = dy.getAtIndex(JAVA_FLOAT_UNALIGNED, i); // read unconditionally: a branch-free loop body
            dx.setAtIndex(JAVA_FLOAT_UNALIGNED, i, y.getAtIndex(JAVA_FLOAT_UNALIGNED, i) > 0f ? gradient : 0f);
        }
    }

    /** y = 1 / (1 + e^(−x)), in double then rounded once; NaN stays NaN. */
    static void sigmoid(MemorySegment x, MemorySegment y, long count) {
        for (int i = 0, n = Math.toIntExact(count); i < n; i++) {
            y.setAtIndex(JAVA_FLOAT_UNALIGNED, i, (float) (1 / (1 + Math.exp(-(double) x.getAtIndex(JAVA_FLOAT_UNALIGNED, i)))));
        }
    }

    /** dx = dy · (1 − y) · y in float, in PyTorch's sigmoid_backward's order. */
    static void sigmoidBackward(MemorySegment y, MemorySegment dy, MemorySegment dx, long count) {
        for (int i = 0, n = Math.toIntExact(count); i < n; i++) {
            float out = y.getAtIndex(JAVA_FLOAT_UNALIGNED, i);
            dx.setAtIndex(JAVA_FLOAT_UNALIGNED, i, dy.getAtIndex(JAVA_FLOAT_UNALIGNED, i) * (1f - out) * out);
        }
    }

    /** c = a + b for elements [from, to). */
    static void add(MemorySegment a, MemorySegment b, MemorySegment c, int from, int to) {
        for (int i = from; i < to; i++) {
            c.setAtIndex(JAVA_FLOAT_UNALIGNED, i, a.getAtIndex(JAVA_FLOAT_UNALIGNED, i) + b.getAtIndex(JAVA_FLOAT_UNALIGNED, i));
        }
    }

    /** Σ x², accumulated in double. */
    static float sumOfSquares(MemorySegment x, long count) {
        double sum = 0;
        for (int i = 0, n = Math.toIntExact(count); i < n; i++) {
            double v = x.getAtIndex(JAVA_FLOAT_UNALIGNED, i);
            sum += v * v;
        }
        return (float) sum;
    }

    /** x *= factor, in place. */
    static void scale(MemorySegment x, long count, float factor) {
        for (int i = 0, n = Math.toIntExact(count); i < n; i++) {
            x.setAtIndex(JAVA_FLOAT_UNALIGNED, i, x.getAtIndex(JAVA_FLOAT_UNALIGNED, i) * factor);
        }
    }

    /** c = a·b. */
    static void multiply(MemorySegment a, MemorySegment b, MemorySegment c, long count) {
        for (int i = 0, n = Math.toIntExact(count); i < n; i++) {
            c.setAtIndex(JAVA_FLOAT_UNALIGNED, i, a.getAtIndex(JAVA_FLOAT_UNALIGNED, i) * b.getAtIndex(JAVA_FLOAT_UNALIGNED, i));
        }
    }

    /**
     * PyTorch SGD with momentum, in place: g = grad + wd·param; buf = momentum·buf + g; param −= lr·buf,
     * or with Nesterov param −= lr·(g + momentum·buf).
     */
    static void sgdMomentum(MemorySegment param, MemorySegment grad, MemorySegment buffer, long count,
                            float lr, float momentum, float weightDecay, boolean nesterov) {
        for (int i = 0, n = Math.toIntExact(count); i < n; i++) {
            float p = param.getAtIndex(JAVA_FLOAT_UNALIGNED, i);
            float g = grad.getAtIndex(JAVA_FLOAT_UNALIGNED, i) + weightDecay * p;
            float b = momentum * buffer.getAtIndex(JAVA_FLOAT_UNALIGNED, i) + g;
            buffer.setAtIndex(JAVA_FLOAT_UNALIGNED, i, b);
            param.setAtIndex(JAVA_FLOAT_UNALIGNED, i, p - lr * (nesterov ? g + momentum * b : b));
        }
    }

    /**
     * PyTorch 1.13's {@code _single_tensor_adam}/{@code _single_tensor_adamw}, in place, element by element in
     * its order of operations and roundings, which makes it bit-for-bit PyTorch's CPU result: {@code add_(other, alpha=a)}
     * and {@code addcmul_} end in a fused multiply-add in PyTorch's build ({@code vec::fmadd}, a contracted
     * {@code self + value·t1·t2}), so they are {@link Math#fma} here; {@code addcdiv_} is {@code p + (value·m)/denom}
     * and the division by sqrt(1 − β2^t) a true division, as there.
     */
    static void adam(MemorySegment param, MemorySegment grad, MemorySegment expAvg, MemorySegment expAvgSq, long count, AdamStep step) {
        float weightDecay = (float) step.weightDecay();
        float decay = step.parameterDecay();
        float beta1 = (float) step.beta1(), beta2 = (float) step.beta2();
        float oneMinusBeta1 = step.oneMinusBeta1(), oneMinusBeta2 = step.oneMinusBeta2();
        float biasCorrection2Sqrt = step.biasCorrection2Sqrt(), eps = (float) step.eps(), negativeStepSize = step.negativeStepSize();
        boolean decoupled = step.decoupledWeightDecay();
        for (int i = 0, n = Math.toIntExact(count); i < n; i++) {
            float p = param.getAtIndex(JAVA_FLOAT_UNALIGNED, i);
            float g = grad.getAtIndex(JAVA_FLOAT_UNALIGNED, i);
            if (decoupled) {
                p = p * decay;
            } else if (weightDecay != 0f) {
                g = Math.fma(p, weightDecay, g);
            }
            float m = Math.fma(g, oneMinusBeta1, expAvg.getAtIndex(JAVA_FLOAT_UNALIGNED, i) * beta1);
            float v = Math.fma(oneMinusBeta2 * g, g, expAvgSq.getAtIndex(JAVA_FLOAT_UNALIGNED, i) * beta2);
            float denom = (float) Math.sqrt(v) / biasCorrection2Sqrt + eps;
            expAvg.setAtIndex(JAVA_FLOAT_UNALIGNED, i, m);
            expAvgSq.setAtIndex(JAVA_FLOAT_UNALIGNED, i, v);
            param.setAtIndex(JAVA_FLOAT_UNALIGNED, i, p + negativeStepSize * m / denom);
        }
    }
}
