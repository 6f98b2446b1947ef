package dev.isthmus.backend.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

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
        int threads = ForkJoinPool.getCommonPoolParallelism() + 1;
        int parts = (long) total * workPerUnit < SERIAL_BELOW ? 1 : Math.min(threads, total);
        if (parts <= 1) {
            if (total > 0) body.run(0, total);
            return;
        }
        IntStream.range(0, parts).parallel().forEach(part -> {
            int from = (int) ((long) total * part / parts), to = (int) ((long) total * (part + 1) / parts);
            if (from < to) body.run(from, to);
        });
    }

    @FunctionalInterface
    interface Body {
        void run(int from, int to);
    }
}
