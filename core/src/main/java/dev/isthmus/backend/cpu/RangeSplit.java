package dev.isthmus.backend.cpu;

import dev.isthmus.backend.parallel.ForkJoinParts;

/**
 * One parallel decision per op for the cpu backend's memory-bound Java kernels: [0, total) is cut into one
 * contiguous range per thread of the common ForkJoin pool (the calling thread helps), or run whole on the
 * calling thread when it holds less than {@link #SERIAL_BELOW} units of work, where the fork costs more than it saves.
 * Ranges write disjoint outputs, so results never depend on the split.
 */
final class RangeSplit {
    /** Work (elements touched) under which an op stays on the calling thread. */
    static final int SERIAL_BELOW = 1 << 15;

    private RangeSplit() {
    }

    /** body(from, to) over [0, total) split by threads; {@code workPerUnit} elements are touched per unit of the range. */
    static void run(int total, int workPerUnit, Body body) {
        if (total <= 0) return;
        int parts = (long) total * workPerUnit < SERIAL_BELOW ? 1 : ForkJoinParts.threads();
        ForkJoinParts.forRanges(total, parts, body::run);
    }

    @FunctionalInterface
    interface Body {
        void run(int from, int to);
    }
}
