package dev.isthmus.backend.cpu;

import java.lang.foreign.MemorySegment;

/**
 * One convolution in two variants, the faster kept: oneDNN's own layouts with reorders (its blocked AVX kernels,
 * as PyTorch runs them) or plain layouts (its GEMM-based kernels, no reorders). Which wins depends on the shape and
 * the CPU (a blocked layout pads 1 channel to 16, for example), so the first call times both, as cuDNN's "find"
 * does, and keeps the faster; the loser is freed. Both variants write the whole output, so the first call's
 * result is the kept variant's, computed last.
 */
final class TunedConvolution implements AutoCloseable {
    private static final int TRIALS = 3;

    private DnnlConvolution chosen;
    private DnnlConvolution plain;
    private DnnlConvolution blocked;

    TunedConvolution(DnnlConvolution plain, DnnlConvolution blocked) {
        this.plain = plain;
        this.blocked = blocked;
        if (!blocked.reorders()) {
            // Same layouts either way: nothing to choose.
            keep(blocked);
        }
    }

    synchronized void execute(MemorySegment... buffers) {
        if (chosen == null) {
            long plainNanos = fastest(plain, buffers), blockedNanos = fastest(blocked, buffers);
            keep(blockedNanos <= plainNanos ? blocked : plain);
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

    private static long fastest(DnnlConvolution convolution, MemorySegment[] buffers) {
        long best = Long.MAX_VALUE;
        for (int trial = 0; trial < TRIALS; trial++) {
            long start = System.nanoTime();
            convolution.execute(buffers);
            best = Math.min(best, System.nanoTime() - start);
        }
        return best;
    }
}
