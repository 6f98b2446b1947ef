package dev.isthmus.backend.cpu;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;

/**
 * The cpu backend's ReLU, ReLU gradient and sum: the reference's formulas, split over the threads by
 * {@link RangeSplit} (the reference runs them on the calling thread). Each element's result is the same
 * expression as the reference's, so results are bitwise equal. Loops count with an {@code int} for the
 * reason given in the reference's {@code ElementwiseKernels}.
 */
final class FastElementwise {
    private FastElementwise() {
    }

    /** y = max(x, 0); NaN stays NaN. */
    static void relu(MemorySegment x, MemorySegment y, long count) {
        RangeSplit.run(Math.toIntExact(count), 2, (from, to) -> {
            for (int i = from; i < to; i++) {
                y.setAtIndex(JAVA_FLOAT_UNALIGNED, i, Math.max(x.getAtIndex(JAVA_FLOAT_UNALIGNED, i), 0f));
            }
        });
    }

    /** dx = dy where the forward output y > 0, else 0. */
    static void reluBackward(MemorySegment y, MemorySegment dy, MemorySegment dx, long count) {
        RangeSplit.run(Math.toIntExact(count), 3, (from, to) -> {
            for (int i = from; i < to; i++) {
                float gradient = dy.getAtIndex(JAVA_FLOAT_UNALIGNED, i);
                dx.setAtIndex(JAVA_FLOAT_UNALIGNED, i, y.getAtIndex(JAVA_FLOAT_UNALIGNED, i) > 0f ? gradient : 0f);
            }
        });
    }

    /** c = a + b. */
    static void add(MemorySegment a, MemorySegment b, MemorySegment c, long count) {
        RangeSplit.run(Math.toIntExact(count), 3, (from, to) -> {
            for (int i = from; i < to; i++) {
                c.setAtIndex(JAVA_FLOAT_UNALIGNED, i, a.getAtIndex(JAVA_FLOAT_UNALIGNED, i) + b.getAtIndex(JAVA_FLOAT_UNALIGNED, i));
            }
        });
    }
}
