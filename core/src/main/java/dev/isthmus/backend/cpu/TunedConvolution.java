package dev.isthmus.backend.cpu;

import java.lang.foreign.MemorySegment;

/**
 * One convolution in two variants, the faster kept: oneDNN's own layouts with reorders (its blocked AVX kernels,
 * as PyTorch runs them) or plain layouts (its GEMM-based kernels, no reorders). Which wins depends on the shape and
 * the CPU (a blocked layout pads 1 channel to 16, for example), so the first call times both, as cuDNN's "find"
 * does, and keeps the faster; the loser is freed. Both variants write the whole output, so the first call's
 * result is the kept variant's, computed last.
 * <p>
 * The parts of one batch split share one {@link Choice}: the first part to run decides for all. Each part deciding
 * alone let timing noise on a busy machine keep different kernels for the two halves of one batch (seen with
 * {@code DNNL_VERBOSE}: one half of the CNN's first convolution on oneDNN's GEMM path at 0.38 ms, the other on its
 * AVX-512 kernel at 0.15 ms), so a run's speed depended on the luck of its first step. The trials alternate between
 * the variants and each keeps its best time, so a disturbance hits both alike.
 */
final class TunedConvolution implements AutoCloseable {
    private static final int TRIALS = 5;

    /** The decision of one geometry and direction, shared by its parts; null until the first part has timed both. */
    static final class Choice {
        private Boolean blocked;
    }

    private final Choice choice;
    private DnnlConvolution chosen;
    private DnnlConvolution plain;
    private DnnlConvolution blocked;

    TunedConvolution(DnnlConvolution plain, DnnlConvolution blocked, Choice choice) {
        this.plain = plain;
        this.blocked = blocked;
        this.choice = choice;
        if (!blocked.reorders()) {
            // Same layouts either way: nothing to choose.
            keep(blocked);
        }
    }

    synchronized void execute(MemorySegment... buffers) {
        if (chosen == null) {
            synchronized (choice) {
                if (choice.blocked == null) {
                    choice.blocked = blockedIsFaster(buffers);
                }
                keep(choice.blocked ? blocked : plain);
            }
        }
        chosen.execute(buffers);
    }

    /** oneDNN's kernel name of the kept variant, or of both while undecided. */
    synchronized String implementation() {
        return chosen != null ? chosen.implementation() + (chosen.reorders() ? " (own layouts)" : " (plain layouts)")
                : "undecided: " + plain.implementation() + " or " + blocked.implementation();
    }

    @Override
    public synchronized void close() {
        for (DnnlConvolution convolution : new DnnlConvolution[] {chosen, plain, blocked}) {
            if (convolution != null) convolution.close();
        }
        chosen = plain = blocked = null;
    }

    private void keep(DnnlConvolution winner) {
        (winner == plain ? blocked : plain).close();
        chosen = winner;
        plain = blocked = null;
    }

    private boolean blockedIsFaster(MemorySegment[] buffers) {
        long plainNanos = Long.MAX_VALUE, blockedNanos = Long.MAX_VALUE;
        for (int trial = 0; trial < TRIALS; trial++) {
            plainNanos = Math.min(plainNanos, time(plain, buffers));
            blockedNanos = Math.min(blockedNanos, time(blocked, buffers));
        }
        return blockedNanos <= plainNanos;
    }

    private static long time(DnnlConvolution convolution, MemorySegment[] buffers) {
        long start = System.nanoTime();
        convolution.execute(buffers);
        return System.nanoTime() - start;
    }
}
