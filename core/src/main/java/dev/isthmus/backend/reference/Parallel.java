package dev.isthmus.backend.reference;

import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Runs independent tasks on the common ForkJoin pool (the calling thread helps). Tasks write
 * disjoint outputs, so results never depend on which thread ran what.
 */
final class Parallel {
    private Parallel() {
    }

    /** Threads that can work at once: the common pool's workers plus the calling thread. */
    static int threads() {
        return ForkJoinPool.getCommonPoolParallelism() + 1;
    }

    /** body(0), …, body(count − 1), in parallel when there is more than one. */
    static void forEach(int count, IntConsumer body) {
        if (count == 1) {
            body.accept(0);
        } else if (count > 1) {
            IntStream.range(0, count).parallel().forEach(body);
        }
    }

    /** Splits [0, total) into {@code parts} contiguous ranges and runs body(from, to) for each non-empty one. */
    static void forRanges(int total, int parts, RangeBody body) {
        int count = Math.max(1, Math.min(parts, total));
        forEach(count, part -> {
            int from = (int) ((long) total * part / count);
            int to = (int) ((long) total * (part + 1) / count);
            if (from < to) body.run(from, to);
        });
    }

    @FunctionalInterface
    interface RangeBody {
        void run(int from, int to);
    }
}
