package dev.isthmus.backend.parallel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The helper threads of {@link ForkJoinParts}: one daemon thread per core beyond the caller's, each waiting for the
 * next op by spinning for {@link #SPIN_NANOS} before it parks. A training step is dozens of ops of 0.05–1 ms with
 * short gaps between them; a parked thread takes tens of microseconds to wake (a futex and a reschedule), which on a
 * 2-way split comes off each op's parallel half. OpenMP's threads, which PyTorch's ops use, spin the same way
 * between parallel regions. The caller never waits for a helper to start: it takes parts itself and withdraws an
 * offer no helper has taken, so a busy machine slows an op down but cannot stall it.
 */
final class PartWorkers {
    /** How long an idle helper keeps looking for work before it parks: longer than the gap between two ops of a step. */
    static final long SPIN_NANOS = 200_000;

    private static final int OFFERED = 0, TAKEN = 1, WITHDRAWN = 2;

    /** One op's parts, offered to every helper; each part index runs exactly once, on whichever thread claims it. */
    private static final class Job {
        final int count;
        final IntConsumer body;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger[] states;
        volatile RuntimeException failure;

        Job(int count, IntConsumer body, int helpers) {
            this.count = count;
            this.body = body;
            this.states = new AtomicInteger[helpers];
            for (int h = 0; h < helpers; h++) states[h] = new AtomicInteger(OFFERED);
        }

        void drain() {
            for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) body.accept(i);
        }
    }

    private final Helper[] helpers;
    /** Held by the one caller using the helpers; another caller at the same time (or a nested op) runs alone. */
    private final AtomicInteger owner = new AtomicInteger();

    PartWorkers(int helperCount) {
        helpers = new Helper[helperCount];
        for (int h = 0; h < helperCount; h++) {
            helpers[h] = new Helper(h);
            Thread thread = Thread.ofPlatform().daemon().name("isthmus-part-" + (h + 1)).unstarted(helpers[h]);
            helpers[h].thread = thread;
            thread.start();
        }
    }

    /** Runs body(0 … count − 1) on the caller and up to {@code wanted} helpers; false when the helpers are in use. */
    boolean run(int count, int wanted, IntConsumer body) {
        if (isHelper(Thread.currentThread()) || !owner.compareAndSet(0, 1)) {
            return false;
        }
        try {
            int used = Math.min(wanted, helpers.length);
            Job job = new Job(count, body, used);
            for (int h = 0; h < used; h++) helpers[h].offer(job);
            RuntimeException failure = null;
            try {
                job.drain();
            } catch (RuntimeException e) {
                failure = e;
                job.next.set(count); // no new parts once one failed
            }
            for (int h = 0; h < used; h++) {
                if (!job.states[h].compareAndSet(OFFERED, WITHDRAWN)) {
                    helpers[h].awaitFinished(job);
                }
            }
            RuntimeException helperFailure = job.failure;
            if (failure == null) failure = helperFailure;
            else if (helperFailure != null && helperFailure != failure) failure.addSuppressed(helperFailure);
            if (failure != null) throw failure;
            return true;
        } finally {
            owner.set(0);
        }
    }

    private boolean isHelper(Thread thread) {
        for (Helper helper : helpers) {
            if (helper.thread == thread) return true;
        }
        return false;
    }

    /** One helper thread: takes the offered job if the caller has not withdrawn it, runs parts, reports done. */
    private static final class Helper implements Runnable {
        private final int index;
        private Thread thread;
        private volatile Job offered;
        private volatile Job done;
        private volatile boolean parked;

        Helper(int index) {
            this.index = index;
        }

        void offer(Job job) {
            offered = job;
            if (parked) LockSupport.unpark(thread);
        }

        /** Waits for a job this helper took; it yields between short spins so a helper sharing the core can finish. */
        void awaitFinished(Job job) {
            for (int spins = 0; done != job; spins++) {
                if ((spins & 1023) == 1023) Thread.yield();
                else Thread.onSpinWait();
            }
        }

        @Override
        public void run() {
            Job last = null;
            while (true) {
                Job job = awaitOffer(last);
                last = job;
                if (job.states[index].compareAndSet(OFFERED, TAKEN)) {
                    try {
                        job.drain();
                    } catch (Throwable e) {
                        job.failure = e instanceof RuntimeException r ? r : new IllegalStateException("a parallel part failed: " + e, e);
                        job.next.set(job.count);
                    } finally {
                        done = job;
                    }
                }
            }
        }

        private Job awaitOffer(Job last) {
            long deadline = System.nanoTime() + SPIN_NANOS;
            while (true) {
                Job job = offered;
                if (job != last) return job;
                if (System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                } else {
                    parked = true;
                    if (offered == last) LockSupport.park(this);
                    parked = false;
                    deadline = System.nanoTime() + SPIN_NANOS;
                }
            }
        }
    }
}
