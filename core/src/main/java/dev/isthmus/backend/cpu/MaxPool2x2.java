package dev.isthmus.backend.cpu;

import dev.isthmus.backend.Pool2dSpec;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;

/**
 * {@code MaxPool2d(2)} (kernel 2, stride 2, no padding; the lessons' pooling) for the cpu backend, straight on
 * native memory and split over the threads by {@link RangeSplit} by rows. The reference copies
 * each sample to an array, and its forward pass also finds the maximum's position, which only the backward pass needs.
 * <p>
 * Same rules as the reference: the maximum is {@code Math.max} over the taps in window order (NaN propagates), and
 * the gradient goes to the first maximum in window order, or to the last NaN of a window holding one (a value takes
 * over if it is greater than the best so far or NaN). Windows are disjoint, so every input element is written once:
 * its window's gradient or 0, and 0 for a last odd row or column that no window covers.
 */
final class MaxPool2x2 {
    private MaxPool2x2() {
    }

    /** Whether {@code spec} is the pooling this class serves. */
    static boolean serves(Pool2dSpec spec) {
        return spec.equals(Pool2dSpec.of(2));
    }

    /** y[plane][oh][ow] = max of the 2×2 window at (2·oh, 2·ow) of x[plane], for {@code planes} = n·c planes of h×w. */
    static void forward(MemorySegment x, MemorySegment y, int planes, int h, int w, int p, int q) {
        RangeSplit.run(planes * p, 4 * q, (from, to) -> {
            for (int row = from; row < to; row++) {
                int plane = row / p, oh = row % p;
                int top = plane * h * w + 2 * oh * w, out = row * q;
                for (int ow = 0; ow < q; ow++) {
                    int i = top + 2 * ow;
                    float b = Math.max(get(x, i), get(x, i + 1));
                    b = Math.max(b, get(x, i + w));
                    y.setAtIndex(JAVA_FLOAT_UNALIGNED, out + ow, Math.max(b, get(x, i + w + 1)));
                }
            }
        });
    }

    /** dx = dy at each window's chosen maximum of x, 0 elsewhere. */
    static void backward(MemorySegment x, MemorySegment dy, MemorySegment dx, int planes, int h, int w, int p, int q) {
        RangeSplit.run(planes * h, 3 * w, (from, to) -> {
            for (int inputRow = from; inputRow < to; inputRow++) {
                int plane = inputRow / h, ih = inputRow % h, start = inputRow * w;
                if (ih >= 2 * p) {
                    zero(dx, start, start + w);
                    continue;
                }
                if ((ih & 1) == 1) continue; // written with the even row above it
                int out = (plane * p + ih / 2) * q;
                for (int ow = 0; ow < q; ow++) {
                    int i = start + 2 * ow;
                    float x0 = get(x, i), x1 = get(x, i + 1), x2 = get(x, i + w), x3 = get(x, i + w + 1);
                    int at = 0;
                    float b = x0;
                    boolean takes = x1 > b || x1 != x1;
                    at = takes ? 1 : at;
                    b = takes ? x1 : b;
                    takes = x2 > b || x2 != x2;
                    at = takes ? 2 : at;
                    b = takes ? x2 : b;
                    takes = x3 > b || x3 != x3;
                    at = takes ? 3 : at;
                    float g = dy.getAtIndex(JAVA_FLOAT_UNALIGNED, out + ow) + 0f; // + 0f: −0 becomes 0, as the reference's 0 + dy
                    dx.setAtIndex(JAVA_FLOAT_UNALIGNED, i, at == 0 ? g : 0f);
                    dx.setAtIndex(JAVA_FLOAT_UNALIGNED, i + 1, at == 1 ? g : 0f);
                    dx.setAtIndex(JAVA_FLOAT_UNALIGNED, i + w, at == 2 ? g : 0f);
                    dx.setAtIndex(JAVA_FLOAT_UNALIGNED, i + w + 1, at == 3 ? g : 0f);
                }
                if (2 * q < w) { // odd width: the last column has no window
                    dx.setAtIndex(JAVA_FLOAT_UNALIGNED, start + w - 1, 0f);
                    dx.setAtIndex(JAVA_FLOAT_UNALIGNED, start + 2 * w - 1, 0f);
                }
            }
        });
    }

    private static float get(MemorySegment segment, int index) {
        return segment.getAtIndex(JAVA_FLOAT_UNALIGNED, index);
    }

    private static void zero(MemorySegment segment, int from, int to) {
        segment.asSlice((long) from * Float.BYTES, (long) (to - from) * Float.BYTES).fill((byte) 0);
    }
}
