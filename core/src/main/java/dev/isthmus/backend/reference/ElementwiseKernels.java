package dev.isthmus.backend.reference;

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

    /** y = max(x, 0); NaN stays NaN, as in PyTorch. */
    static void relu(MemorySegment x, MemorySegment y, long count) {
        for (int i = 0, n = Math.toIntExact(count); i < n; i++) {
            y.setAtIndex(JAVA_FLOAT_UNALIGNED, i, Math.max(x.getAtIndex(JAVA_FLOAT_UNALIGNED, i), 0f));
        }
    }

    /** dx = dy where the forward output y > 0, else 0. */
    static void reluBackward(MemorySegment y, MemorySegment dy, MemorySegment dx, long count) {
        for (int i = 0, n = Math.toIntExact(count); i < n; i++) {
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

    /** c = a + b. */
    static void add(MemorySegment a, MemorySegment b, MemorySegment c, long count) {
        for (int i = 0, n = Math.toIntExact(count); i < n; i++) {
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
}
