package dev.isthmus.backend.parallel;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The one way the CPU kernels (reference, cpu, vector) go parallel: independent parts on the common ForkJoin
 * pool, the calling thread helping. Parts write disjoint outputs, so results never depend on which thread ran
 * what. Internal to the module (its package is not exported).
 */
public final class ForkJoinParts {
    private static final boolean SPINNING = !"forkjoin".equals(System.getProperty("isthmus.parallel"));

    private ForkJoinParts() {
    }

    /** Created on first use, so a program that never goes parallel starts no threads. */
    private static final class Workers {
        static final PartWorkers INSTANCE = new PartWorkers(threads() - 1);
    }

    /**
     * Threads that can work at once: the common pool's workers plus the calling thread.
     *
     * @return at least 1
     */
    public static int threads() {
        return ForkJoinPool.getCommonPoolParallelism() + 1;
    }

    /**
     * body(0) … body(count − 1), each once, shared out between the calling thread and up to {@link #threads()} − 1
     * tasks on the common pool that take the next index until none is left (so 64 samples on a 2-thread pool keep
     * both threads busy, and a busy machine slows the op down but never stalls it: the caller alone can finish).
     * Lighter than a parallel stream, which allocated about 1–2 KB of pipeline objects per op. Every part has
     * finished when this returns or throws, so no part still touches buffers the caller may free.
     *
     * @param count how many parts; none runs when it is 0 or less
     * @param body  the work of one part
     */
    public static void forEach(int count, IntConsumer body) {
        int helpers = Math.min(count, threads()) - 1;
        if (helpers <= 0) {
            for (int i = 0; i < count; i++) body.accept(i);
            return;
        }
        if (SPINNING) {
            if (!Workers.INSTANCE.run(count, helpers, body)) {
                for (int i = 0; i < count; i++) body.accept(i);
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Runnable drain = () -> {
            for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) body.accept(i);
        };
        ForkJoinTask<?>[] others = new ForkJoinTask<?>[helpers];
        for (int h = 0; h < helpers; h++) others[h] = ForkJoinTask.adapt(drain).fork();
        RuntimeException failure = null;
        try {
            drain.run();
        } catch (RuntimeException e) {
            failure = e;
        }
        for (ForkJoinTask<?> other : others) {
            try {
                other.join();
            } catch (RuntimeException e) {
                if (failure == null) failure = e;
                else failure.addSuppressed(e);
            }
        }
        if (failure != null) throw failure;
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
