package dev.isthmus.backend.reference;

import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.backend.reference.Scratch.Slot;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

/**
 * Max and average pooling over [N, C, H, W], forward and backward, one sample per task. Window of
 * output (oh, ow): input rows {@code oh·strideH − padH …} + kernelH − 1, columns likewise.
 */
final class PoolingKernels {
    private PoolingKernels() {
    }

    /** Sizes of one pooling: input [n, c, h, w] → output [n, c, p, q]. */
    record Geometry(int n, int c, int h, int w, int p, int q, Pool2dSpec spec) {
        int inputSample() {
            return c * h * w;
        }

        int outputSample() {
            return c * p * q;
        }
    }

    /**
     * Index (into one [H, W] plane) of the window's maximum, PyTorch's rule: a value wins if it is
     * greater than the best so far or NaN, so the first maximum wins ties and NaN propagates.
     * Padding counts as −∞ and is never chosen; an all −∞ window picks its first real position.
     */
    private static int argmax(Geometry g, float[] x, int planeOffset, int oh, int ow) {
        Pool2dSpec s = g.spec();
        int hStart = oh * s.strideH() - s.padH();
        int wStart = ow * s.strideW() - s.padW();
        int hFrom = Math.max(hStart, 0), hTo = Math.min(hStart + s.kernelH(), g.h());
        int wFrom = Math.max(wStart, 0), wTo = Math.min(wStart + s.kernelW(), g.w());
        int best = hFrom * g.w() + wFrom;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int ih = hFrom; ih < hTo; ih++) {
            for (int iw = wFrom; iw < wTo; iw++) {
                float v = x[planeOffset + ih * g.w() + iw];
                if (v > bestValue || Float.isNaN(v)) {
                    bestValue = v;
                    best = ih * g.w() + iw;
                }
            }
        }
        return best;
    }

    /** y[n][c][oh][ow] = max over the window of x[n][c] (padding = −∞). */
    static void maxForward(Geometry g, MemorySegment input, MemorySegment output) {
        Parallel.forEach(g.n(), n -> {
            Scratch scratch = Scratch.get();
            float[] x = load(input, n, g.inputSample(), scratch.vector(Slot.INPUT, g.inputSample()));
            float[] y = scratch.vector(Slot.OUTPUT, g.outputSample());
            for (int c = 0; c < g.c(); c++) {
                int plane = c * g.h() * g.w();
                for (int oh = 0; oh < g.p(); oh++) {
                    for (int ow = 0; ow < g.q(); ow++) {
                        y[(c * g.p() + oh) * g.q() + ow] = x[plane + argmax(g, x, plane, oh, ow)];
                    }
                }
            }
            store(y, g.outputSample(), output, n);
        });
    }

    /** dx[n][c][argmax of window (oh, ow)] += dy[n][c][oh][ow]; zero elsewhere. */
    static void maxBackward(Geometry g, MemorySegment input, MemorySegment gradOutput, MemorySegment gradInput) {
        Parallel.forEach(g.n(), n -> {
            Scratch scratch = Scratch.get();
            float[] x = load(input, n, g.inputSample(), scratch.vector(Slot.INPUT, g.inputSample()));
            float[] dy = load(gradOutput, n, g.outputSample(), scratch.vector(Slot.GRAD_OUTPUT, g.outputSample()));
            float[] dx = scratch.vector(Slot.OUTPUT, g.inputSample());
            Arrays.fill(dx, 0, g.inputSample(), 0f);
            for (int c = 0; c < g.c(); c++) {
                int plane = c * g.h() * g.w();
                for (int oh = 0; oh < g.p(); oh++) {
                    for (int ow = 0; ow < g.q(); ow++) {
                        dx[plane + argmax(g, x, plane, oh, ow)] += dy[(c * g.p() + oh) * g.q() + ow];
                    }
                }
            }
            store(dx, g.inputSample(), gradInput, n);
        });
    }

    /**
     * PyTorch's average-pool divisor with {@code count_include_pad=True}: the window clipped to the
     * padded input (in floor mode with padding ≤ kernel/2 that is always kernelH·kernelW).
     */
    private static int divisor(Geometry g, int oh, int ow) {
        Pool2dSpec s = g.spec();
        int hStart = oh * s.strideH() - s.padH();
        int wStart = ow * s.strideW() - s.padW();
        int hEnd = Math.min(hStart + s.kernelH(), g.h() + s.padH());
        int wEnd = Math.min(wStart + s.kernelW(), g.w() + s.padW());
        return (hEnd - hStart) * (wEnd - wStart);
    }

    /** y[n][c][oh][ow] = (Σ of the window's real positions of x[n][c]) / divisor; padding adds zeros. */
    static void avgForward(Geometry g, MemorySegment input, MemorySegment output) {
        Pool2dSpec s = g.spec();
        Parallel.forEach(g.n(), n -> {
            Scratch scratch = Scratch.get();
            float[] x = load(input, n, g.inputSample(), scratch.vector(Slot.INPUT, g.inputSample()));
            float[] y = scratch.vector(Slot.OUTPUT, g.outputSample());
            for (int c = 0; c < g.c(); c++) {
                int plane = c * g.h() * g.w();
                for (int oh = 0; oh < g.p(); oh++) {
                    for (int ow = 0; ow < g.q(); ow++) {
                        int hStart = oh * s.strideH() - s.padH();
                        int wStart = ow * s.strideW() - s.padW();
                        float sum = 0f;
                        for (int ih = Math.max(hStart, 0); ih < Math.min(hStart + s.kernelH(), g.h()); ih++) {
                            for (int iw = Math.max(wStart, 0); iw < Math.min(wStart + s.kernelW(), g.w()); iw++) {
                                sum += x[plane + ih * g.w() + iw];
                            }
                        }
                        y[(c * g.p() + oh) * g.q() + ow] = sum / divisor(g, oh, ow);
                    }
                }
            }
            store(y, g.outputSample(), output, n);
        });
    }

    /** dx[n][c][ih][iw] += dy[n][c][oh][ow] / divisor for every window (oh, ow) containing (ih, iw). */
    static void avgBackward(Geometry g, MemorySegment gradOutput, MemorySegment gradInput) {
        Pool2dSpec s = g.spec();
        Parallel.forEach(g.n(), n -> {
            Scratch scratch = Scratch.get();
            float[] dy = load(gradOutput, n, g.outputSample(), scratch.vector(Slot.GRAD_OUTPUT, g.outputSample()));
            float[] dx = scratch.vector(Slot.OUTPUT, g.inputSample());
            Arrays.fill(dx, 0, g.inputSample(), 0f);
            for (int c = 0; c < g.c(); c++) {
                int plane = c * g.h() * g.w();
                for (int oh = 0; oh < g.p(); oh++) {
                    for (int ow = 0; ow < g.q(); ow++) {
                        float share = dy[(c * g.p() + oh) * g.q() + ow] / divisor(g, oh, ow);
                        int hStart = oh * s.strideH() - s.padH();
                        int wStart = ow * s.strideW() - s.padW();
                        for (int ih = Math.max(hStart, 0); ih < Math.min(hStart + s.kernelH(), g.h()); ih++) {
                            for (int iw = Math.max(wStart, 0); iw < Math.min(wStart + s.kernelW(), g.w()); iw++) {
                                dx[plane + ih * g.w() + iw] += share;
                            }
                        }
                    }
                }
            }
            store(dx, g.inputSample(), gradInput, n);
        });
    }

    private static float[] load(MemorySegment source, int n, int sampleSize, float[] target) {
        MemorySegment.copy(source, JAVA_FLOAT, (long) n * sampleSize * Float.BYTES, target, 0, sampleSize);
        return target;
    }

    private static void store(float[] source, int sampleSize, MemorySegment target, int n) {
        MemorySegment.copy(source, 0, target, JAVA_FLOAT, (long) n * sampleSize * Float.BYTES, sampleSize);
    }
}
