package dev.isthmus.backend.reference;

import dev.isthmus.backend.parallel.ForkJoinParts;
import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.backend.reference.Scratch.Slot;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;

/**
 * Max and average pooling over [N, C, H, W], forward and backward, one sample per task.
 * <p>
 * The window of output (oh, ow) covers input rows {@code oh·strideH − padH + kh} and columns
 * {@code ow·strideW − padW + kw} for taps 0 ≤ kh < kernelH, 0 ≤ kw < kernelW; taps in the padding
 * are skipped (max: padding is −∞; average: padding adds 0 but counts in the divisor).
 * <p>
 * Loops run tap by tap, over all outputs at once: for tap (kh, kw) the outputs that see it inside
 * the image form one rectangle ({@link TapRange}), so the innermost loop has no bounds tests. Each
 * output still meets its taps in window order (row by row), which is what PyTorch's tie rule for
 * max pooling refers to. (A window-by-window loop ran 4× slower here.)
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
     * For each output of one sample: the window's maximum {@code best} and its position {@code index}
     * in the [H, W] plane, by PyTorch's rule: visiting taps in window order, a value takes over if it
     * is greater than the best so far or NaN. So the first maximum wins ties, NaN propagates, and a
     * window of only −∞ keeps its first real position.
     * <p>
     * The tap loop uses {@code Math.max} and a select, which compile without branches (a branch on
     * "is this one bigger?" is a coin toss on real data; measured 3× slower); it ignores NaN, so
     * windows whose maximum came out NaN get their index again by the literal rule afterwards.
     */
    private static void windowMaxima(Geometry g, float[] x, float[] best, int[] index) {
        Pool2dSpec s = g.spec();
        if (s.equals(Pool2dSpec.of(2))) {
            windowMaxima2x2(g, x, best, index);
            return;
        }
        int channels = g.c(), width = g.w(), p = g.p(), q = g.q(), plane = g.h() * width;
        int strideH = s.strideH(), strideW = s.strideW();
        for (int c = 0; c < channels; c++) {
            for (int oh = 0; oh < p; oh++) {
                int ih = Math.max(oh * strideH - s.padH(), 0);
                int out = (c * p + oh) * q;
                for (int ow = 0; ow < q; ow++) {
                    best[out + ow] = Float.NEGATIVE_INFINITY;
                    index[out + ow] = ih * width + Math.max(ow * strideW - s.padW(), 0);
                }
            }
        }
        for (int kh = 0; kh < s.kernelH(); kh++) {
            int hOffset = kh - s.padH();
            int ohFrom = TapRange.first(hOffset, strideH), ohTo = TapRange.end(hOffset, strideH, g.h(), p, ohFrom);
            for (int kw = 0; kw < s.kernelW(); kw++) {
                int wOffset = kw - s.padW();
                int owFrom = TapRange.first(wOffset, strideW), owTo = TapRange.end(wOffset, strideW, width, q, owFrom);
                for (int c = 0; c < channels; c++) {
                    for (int oh = ohFrom; oh < ohTo; oh++) {
                        int rowStart = (oh * strideH + hOffset) * width + wOffset; // plane position of ow: rowStart + ow·strideW
                        int out = (c * p + oh) * q;
                        for (int ow = owFrom; ow < owTo; ow++) {
                            int position = rowStart + ow * strideW;
                            float v = x[c * plane + position];
                            float b = best[out + ow];
                            index[out + ow] = v > b ? position : index[out + ow];
                            best[out + ow] = Math.max(v, b);
                        }
                    }
                }
            }
        }
        pointNaNWindowsAtTheirLastNaN(g, x, best, index);
    }

    /**
     * {@link #windowMaxima} for {@code MaxPool2d(2)}, the lesson's pooling: the same rule and tap
     * order with the four taps unrolled, measured 2× faster than the general loops.
     */
    private static void windowMaxima2x2(Geometry g, float[] x, float[] best, int[] index) {
        int width = g.w(), plane = g.h() * width, p = g.p(), q = g.q();
        for (int c = 0; c < g.c(); c++) {
            for (int oh = 0; oh < p; oh++) {
                int out = (c * p + oh) * q;
                for (int ow = 0; ow < q; ow++) {
                    int topLeft = 2 * oh * width + 2 * ow, base = c * plane;
                    float b = x[base + topLeft];
                    int at = topLeft;
                    float v = x[base + topLeft + 1];
                    at = v > b ? topLeft + 1 : at;
                    b = Math.max(b, v);
                    v = x[base + topLeft + width];
                    at = v > b ? topLeft + width : at;
                    b = Math.max(b, v);
                    v = x[base + topLeft + width + 1];
                    at = v > b ? topLeft + width + 1 : at;
                    best[out + ow] = Math.max(b, v);
                    index[out + ow] = at;
                }
            }
        }
        pointNaNWindowsAtTheirLastNaN(g, x, best, index);
    }

    /** Windows whose maximum came out NaN: the last NaN in window order takes the gradient (PyTorch's rule). */
    private static void pointNaNWindowsAtTheirLastNaN(Geometry g, float[] x, float[] best, int[] index) {
        for (int o = 0; o < g.outputSample(); o++) {
            if (Float.isNaN(best[o])) index[o] = nanWindowIndex(g, x, o);
        }
    }

    private static int nanWindowIndex(Geometry g, float[] x, int output) {
        Pool2dSpec s = g.spec();
        int c = output / (g.p() * g.q()), oh = output / g.q() % g.p(), ow = output % g.q();
        int position = -1;
        for (int kh = 0; kh < s.kernelH(); kh++) {
            int ih = oh * s.strideH() - s.padH() + kh;
            for (int kw = 0; kw < s.kernelW(); kw++) {
                int iw = ow * s.strideW() - s.padW() + kw;
                if (ih >= 0 && ih < g.h() && iw >= 0 && iw < g.w() && Float.isNaN(x[(c * g.h() + ih) * g.w() + iw])) {
                    position = ih * g.w() + iw;
                }
            }
        }
        return position;
    }

    /** y[n][c][oh][ow] = max over the window of x[n][c] (padding = −∞). */
    static void maxForward(Geometry g, MemorySegment input, MemorySegment output) {
        ForkJoinParts.forEach(g.n(), n -> {
            Scratch scratch = Scratch.get();
            float[] x = load(input, n, g.inputSample(), scratch.vector(Slot.INPUT, g.inputSample()));
            float[] y = scratch.vector(Slot.OUTPUT, g.outputSample());
            windowMaxima(g, x, y, scratch.indices(g.outputSample()));
            store(y, g.outputSample(), output, n);
        });
    }

    /** dx[n][c][position of the maximum of window (oh, ow)] += dy[n][c][oh][ow], outputs in order; zero elsewhere. */
    static void maxBackward(Geometry g, MemorySegment input, MemorySegment gradOutput, MemorySegment gradInput) {
        ForkJoinParts.forEach(g.n(), n -> {
            Scratch scratch = Scratch.get();
            float[] x = load(input, n, g.inputSample(), scratch.vector(Slot.INPUT, g.inputSample()));
            float[] dy = load(gradOutput, n, g.outputSample(), scratch.vector(Slot.GRAD_OUTPUT, g.outputSample()));
            int[] index = scratch.indices(g.outputSample());
            windowMaxima(g, x, scratch.vector(Slot.OUTPUT, g.outputSample()), index);
            float[] dx = scratch.vector(Slot.COLUMNS, g.inputSample());
            Arrays.fill(dx, 0, g.inputSample(), 0f);
            int plane = g.h() * g.w(), outPlane = g.p() * g.q();
            for (int c = 0; c < g.c(); c++) {
                for (int o = c * outPlane; o < (c + 1) * outPlane; o++) {
                    dx[c * plane + index[o]] += dy[o];
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
        ForkJoinParts.forEach(g.n(), n -> {
            Scratch scratch = Scratch.get();
            float[] x = load(input, n, g.inputSample(), scratch.vector(Slot.INPUT, g.inputSample()));
            float[] y = scratch.vector(Slot.OUTPUT, g.outputSample());
            Arrays.fill(y, 0, g.outputSample(), 0f);
            addOverTaps(g, x, y, false);
            divideByWindowSize(g, y);
            store(y, g.outputSample(), output, n);
        });
    }

    /** dx[n][c][ih][iw] += dy[n][c][oh][ow] / divisor for every window (oh, ow) containing (ih, iw). */
    static void avgBackward(Geometry g, MemorySegment gradOutput, MemorySegment gradInput) {
        ForkJoinParts.forEach(g.n(), n -> {
            Scratch scratch = Scratch.get();
            float[] share = load(gradOutput, n, g.outputSample(), scratch.vector(Slot.GRAD_OUTPUT, g.outputSample()));
            divideByWindowSize(g, share);
            float[] dx = scratch.vector(Slot.OUTPUT, g.inputSample());
            Arrays.fill(dx, 0, g.inputSample(), 0f);
            addOverTaps(g, share, dx, true);
            store(dx, g.inputSample(), gradInput, n);
        });
    }

    /** Divides each output of one sample by its window's {@link #divisor}. */
    private static void divideByWindowSize(Geometry g, float[] outputs) {
        for (int c = 0; c < g.c(); c++) {
            for (int oh = 0; oh < g.p(); oh++) {
                for (int ow = 0; ow < g.q(); ow++) outputs[(c * g.p() + oh) * g.q() + ow] /= divisor(g, oh, ow);
            }
        }
    }

    /**
     * The average pool's window sums, tap by tap: {@code outputs[o] += inputs[i]} for every output o
     * and input position i of its window, or with {@code scatter} the other way round
     * ({@code inputs[i] += outputs[o]}, the backward pass). Both arrays hold one sample.
     */
    private static void addOverTaps(Geometry g, float[] from, float[] to, boolean scatter) {
        Pool2dSpec s = g.spec();
        int plane = g.h() * g.w();
        for (int kh = 0; kh < s.kernelH(); kh++) {
            int hOffset = kh - s.padH();
            int ohFrom = TapRange.first(hOffset, s.strideH()), ohTo = TapRange.end(hOffset, s.strideH(), g.h(), g.p(), ohFrom);
            for (int kw = 0; kw < s.kernelW(); kw++) {
                int wOffset = kw - s.padW();
                int owFrom = TapRange.first(wOffset, s.strideW()), owTo = TapRange.end(wOffset, s.strideW(), g.w(), g.q(), owFrom);
                for (int c = 0; c < g.c(); c++) {
                    for (int oh = ohFrom; oh < ohTo; oh++) {
                        int rowStart = c * plane + (oh * s.strideH() + hOffset) * g.w() + wOffset;
                        int out = (c * g.p() + oh) * g.q();
                        if (scatter) {
                            for (int ow = owFrom; ow < owTo; ow++) to[rowStart + ow * s.strideW()] += from[out + ow];
                        } else {
                            for (int ow = owFrom; ow < owTo; ow++) to[out + ow] += from[rowStart + ow * s.strideW()];
                        }
                    }
                }
            }
        }
    }

    private static float[] load(MemorySegment source, int n, int sampleSize, float[] target) {
        MemorySegment.copy(source, JAVA_FLOAT_UNALIGNED, (long) n * sampleSize * Float.BYTES, target, 0, sampleSize);
        return target;
    }

    private static void store(float[] source, int sampleSize, MemorySegment target, int n) {
        MemorySegment.copy(source, 0, target, JAVA_FLOAT_UNALIGNED, (long) n * sampleSize * Float.BYTES, sampleSize);
    }
}
