package dev.isthmus.backend.parallel;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.function.IntConsumer;

/**
 * The one way the CPU kernels (reference, cpu, vector) go parallel: independent parts on the common ForkJoin
 * pool, the calling thread helping. Parts write disjoint outputs, so results never depend on which thread ran
 * what. Internal to the module (its package is not exported).
 */
public final class ForkJoinParts {
    private ForkJoinParts() {
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
     * body(0) … body(count − 1): parts 1… as tasks on the common pool, part 0 on the calling thread, which then
     * joins the others (and runs any that no worker has taken yet, so a busy machine slows the op down but never
     * stalls it). Lighter than a parallel stream, which allocated about 1–2 KB of pipeline objects per op. Every
     * part has finished when this returns or throws, so no part still touches buffers the caller may free.
     *
     * @param count how many parts; none runs when it is 0 or less
     * @param body  the work of one part
     */
    public static void forEach(int count, IntConsumer body) {
        if (count <= 1) {
            if (count == 1) body.accept(0);
            return;
        }
        ForkJoinTask<?>[] others = new ForkJoinTask<?>[count - 1];
        for (int part = 1; part < count; part++) {
            int index = part;
            others[part - 1] = ForkJoinTask.adapt(() -> body.accept(index)).fork();
        }
        RuntimeException failure = null;
        try {
            body.accept(0);
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
