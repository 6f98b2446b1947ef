package dev.isthmus.backend.parallel;

import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;

/**
 * The one way the CPU kernels (reference, cpu, vector) go parallel: independent parts shared between the calling
 * thread and {@link PartWorkers}' helper threads. Parts write disjoint outputs, so results never depend on which
 * thread ran what. Internal to the module (its package is not exported).
 */
public final class ForkJoinParts {
    /** Elements of work per part below which splitting costs more than it saves (PyTorch's grain size). */
    public static final int GRAIN = 32_768;

    private ForkJoinParts() {
    }

    /** Created on first use, so a program that never goes parallel starts no threads. */
    private static final class Workers {
        static final PartWorkers INSTANCE = new PartWorkers(threads() - 1);
    }

    /**
     * Threads that can work at once: the calling thread and one helper per further core (the common ForkJoin pool's
     * parallelism, so {@code -Djava.util.concurrent.ForkJoinPool.common.parallelism=N} sets it).
     *
     * @return at least 1
     */
    public static int threads() {
        return ForkJoinPool.getCommonPoolParallelism() + 1;
    }

    /**
     * body(0) … body(count − 1), each once, shared out between the calling thread and up to {@link #threads()} − 1
     * helpers that take the next index until none is left (so 64 samples on 2 threads keep both busy, and a busy
     * machine slows the op down but never stalls it: the caller alone can finish). A part that calls this again runs
     * its inner parts itself, as does a second caller while the helpers serve another. The common ForkJoin pool served
     * here before: its parked workers took ~50 µs to wake for each op on this project's 2-core VM (one training step is
     * dozens of ops), and the resnet's cpu epoch was ~10% slower with it. Every part has finished when this returns or
     * throws, so no part still touches buffers the caller may free.
     *
     * @param count how many parts; none runs when it is 0 or less
     * @param body  the work of one part
     */
    public static void forEach(int count, IntConsumer body) {
        int helpers = Math.min(count, threads()) - 1;
        if (helpers <= 0 || !Workers.INSTANCE.run(count, helpers, body)) {
            for (int i = 0; i < count; i++) body.accept(i);
        }
    }

    /**
     * Splits [0, total) into {@code parts} contiguous ranges and runs body(from, to) for each non-empty one.
     *
     * @param total the range's length
     * @param parts how many ranges at most
     * @param body  the work of one range
     */
    public static void forRanges(int total, int parts, RangeBody body) {
        int count = Math.max(1, Math.min(parts, total));
        forEach(count, part -> {
            int from = (int) ((long) total * part / count);
            int to = (int) ((long) total * (part + 1) / count);
            if (from < to) body.run(from, to);
        });
    }

    /**
     * Like {@link #forRanges}, with as many ranges as give each at least {@link #GRAIN} elements of work (at most one
     * per thread, at least one): a big activation uses every core, a small op does not pay for a hand-off.
     *
     * @param total       the range's length
     * @param workPerUnit elements read or written per unit of the range
     * @param body        the work of one range
     */
    public static void forRangesOfWork(int total, long workPerUnit, RangeBody body) {
        long parts = Math.max(1, (long) total * workPerUnit / GRAIN);
        forRanges(total, (int) Math.min(threads(), parts), body);
    }

    /** The work of one range [from, to). */
    @FunctionalInterface
    public interface RangeBody {
        /**
         * Does the work.
         *
         * @param from first index
         * @param to   one past the last index
         */
        void run(int from, int to);
    }
}
