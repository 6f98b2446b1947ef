package dev.isthmus.backend.cpu;

import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.backend.parallel.ForkJoinParts;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;

/**
 * {@code MaxPool2d(2)} (kernel 2, stride 2, no padding; the lessons' pooling) for the cpu backend, split over the
 * threads by {@link ForkJoinParts#forRangesOfWork} by planes (one image's channel). Each thread moves a block of whole planes (about
 * {@value #BLOCK_FLOATS} floats, at least one plane) between native memory and its own float arrays with one bulk
 * copy per buffer, and pools inside the arrays, where the JIT drops the bounds checks that element-wise segment
 * reads paid for (a JFR profile of the lesson CNN put 20% of a cpu training step's samples in this kernel when it
 * read the segments element by element). Unlike the reference, the forward pass does not record the maximum's position.
 * <p>
 * Same rules as the reference: the maximum is {@code Math.max} over the taps in window order (NaN propagates), and
 * the gradient goes to the first maximum in window order, or to the last NaN of a window holding one (a value takes
 * over if it is greater than the best so far or NaN). Windows are disjoint, so every input element is written once:
 * its window's gradient or 0, and 0 for a last odd row or column that no window covers.
 */
final class MaxPool2x2 {
    /** Floats of input per block: its input, output and gradient stay in the first-level caches. */
    private static final int BLOCK_FLOATS = 4096;

    /**
     * Each thread's arrays, kept across calls so a step allocates nothing. Keyed by the thread itself (weakly), not
     * a ThreadLocal, which the common pool's workers clear after every task (see the reference's Scratch).
     */
    private static final Map<Thread, float[][]> SCRATCH = Collections.synchronizedMap(new WeakHashMap<>());

    private MaxPool2x2() {
    }

    /** Whether {@code spec} is the pooling this class serves. */
    static boolean serves(Pool2dSpec spec) {
        return spec.equals(Pool2dSpec.of(2));
    }

    /** y[plane][oh][ow] = max of the 2×2 window at (2·oh, 2·ow) of x[plane], for {@code planes} = n·c planes of h×w. */
    static void forward(MemorySegment x, MemorySegment y, int planes, int h, int w, int p, int q) {
        int in = h * w, out = p * q, block = planesPerBlock(in);
        ForkJoinParts.forRangesOfWork(planes, in, (from, to) -> {
            float[][] scratch = scratch(block * in, block * out);
            float[] xs = scratch[0], ys = scratch[1];
            for (int first = from; first < to; first += block) {
                int count = Math.min(block, to - first);
                MemorySegment.copy(x, JAVA_FLOAT_UNALIGNED, (long) first * in * Float.BYTES, xs, 0, count * in);
                for (int plane = 0; plane < count; plane++) {
                    for (int oh = 0; oh < p; oh++) {
                        int top = plane * in + 2 * oh * w, bottom = top + w, o = plane * out + oh * q;
                        for (int ow = 0; ow < q; ow++) {
                            float b = Math.max(xs[top + 2 * ow], xs[top + 2 * ow + 1]);
                            b = Math.max(b, xs[bottom + 2 * ow]);
                            ys[o + ow] = Math.max(b, xs[bottom + 2 * ow + 1]);
                        }
                    }
                }
                MemorySegment.copy(ys, 0, y, JAVA_FLOAT_UNALIGNED, (long) first * out * Float.BYTES, count * out);
            }
        });
    }

    /** dx = dy at each window's chosen maximum of x, 0 elsewhere. */
    static void backward(MemorySegment x, MemorySegment dy, MemorySegment dx, int planes, int h, int w, int p, int q) {
        int in = h * w, out = p * q, block = planesPerBlock(in);
        ForkJoinParts.forRangesOfWork(planes, 2L * in, (from, to) -> {
            float[][] scratch = scratch(block * in, block * out);
            float[] xs = scratch[0], dys = scratch[1], dxs = scratch[2];
            for (int first = from; first < to; first += block) {
                int count = Math.min(block, to - first);
                MemorySegment.copy(x, JAVA_FLOAT_UNALIGNED, (long) first * in * Float.BYTES, xs, 0, count * in);
                MemorySegment.copy(dy, JAVA_FLOAT_UNALIGNED, (long) first * out * Float.BYTES, dys, 0, count * out);
                for (int plane = 0; plane < count; plane++) {
                    backwardPlane(xs, dys, dxs, plane * in, plane * out, h, w, p, q);
                }
                MemorySegment.copy(dxs, 0, dx, JAVA_FLOAT_UNALIGNED, (long) first * in * Float.BYTES, count * in);
            }
        });
    }

    private static void backwardPlane(float[] xs, float[] dys, float[] dxs, int in, int out, int h, int w, int p, int q) {
        for (int oh = 0; oh < p; oh++) {
            int top = in + 2 * oh * w, bottom = top + w, o = out + oh * q;
            for (int ow = 0; ow < q; ow++) {
                int i = top + 2 * ow, j = bottom + 2 * ow;
                // One comparison per tap, each a conditional move rather than a branch (which tap wins is random on
                // real activations: a chain of branches was mispredicted half the time), as the reference's kernel.
                float b = xs[i], v = xs[i + 1];
                int at = v > b ? i + 1 : i;
                b = Math.max(b, v);
                v = xs[j];
                at = v > b ? j : at;
                b = Math.max(b, v);
                v = xs[j + 1];
                at = v > b ? j + 1 : at;
                b = Math.max(b, v);
                if (b != b) at = lastNaN(xs, i, j);
                dxs[i] = 0f;
                dxs[i + 1] = 0f;
                dxs[j] = 0f;
                dxs[j + 1] = 0f;
                dxs[at] = dys[o + ow] + 0f; // + 0f: −0 becomes 0, as the reference's 0 + dy
            }
            if (2 * q < w) { // odd width: the last column has no window
                dxs[top + w - 1] = 0f;
                dxs[bottom + w - 1] = 0f;
            }
        }
        if (2 * p < h) { // odd height: the last row has no window
            Arrays.fill(dxs, in + (h - 1) * w, in + h * w, 0f);
        }
    }

    /** The reference's rule for a window holding NaN: a NaN always takes over, so the last NaN in window order wins. */
    private static int lastNaN(float[] xs, int i, int j) {
        return xs[j + 1] != xs[j + 1] ? j + 1 : xs[j] != xs[j] ? j : xs[i + 1] != xs[i + 1] ? i + 1 : i;
    }

    private static int planesPerBlock(int planeFloats) {
        return Math.max(1, BLOCK_FLOATS / Math.max(1, planeFloats));
    }

    /** This thread's arrays: input-sized, output-sized and input-sized, each at least as long as asked. */
    private static float[][] scratch(int inputFloats, int outputFloats) {
        float[][] arrays = SCRATCH.computeIfAbsent(Thread.currentThread(), thread -> new float[3][0]);
        if (arrays[0].length < inputFloats) {
            arrays[0] = new float[inputFloats];
            arrays[2] = new float[inputFloats];
        }
        if (arrays[1].length < outputFloats) {
            arrays[1] = new float[outputFloats];
        }
        return arrays;
    }
}
