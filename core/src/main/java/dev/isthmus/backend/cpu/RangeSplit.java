package dev.isthmus.backend.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.function.IntConsumer;

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
        forEachPart(parts, part -> {
            int from = (int) ((long) total * part / parts), to = (int) ((long) total * (part + 1) / parts);
            if (from < to) body.run(from, to);
        });
    }

    /**
     * body(0) … body(parts − 1): parts 1… as tasks on the common pool, part 0 on the calling thread, which then joins
     * the others (and runs any that no worker has taken yet, so a busy machine slows the op down but never stalls
     * it). Lighter than a parallel stream, which allocated about 1–2 KB of pipeline objects per op. Every part has
     * finished when this returns or throws, so no part still touches buffers the caller may free.
     */
    static void forEachPart(int parts, IntConsumer body) {
        if (parts == 1) {
            body.accept(0);
            return;
        }
        ForkJoinTask<?>[] others = new ForkJoinTask<?>[parts - 1];
        for (int part = 1; part < parts; part++) {
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

    @FunctionalInterface
    interface Body {
        void run(int from, int to);
    }
}
