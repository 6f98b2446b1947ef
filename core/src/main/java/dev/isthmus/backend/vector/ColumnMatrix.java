package dev.isthmus.backend.vector;

import java.util.Arrays;

/**
 * im2col and its adjoint on flat arrays. Row {@code (ci·R + kh)·S + kw} of a sample's column matrix holds,
 * at column {@code oh·Q + ow}, {@code x[ci][oh·strideH − padH + kh·dilationH][ow·strideW − padW + kw·dilationW]}
 * (0 in the padding): PyTorch's cross-correlation. Several samples sit side by side in one matrix, sample
 * {@code i} from column {@code i·paddedPlane}; the padding columns after each plane are kept at zero.
 */
final class ColumnMatrix {
    private ColumnMatrix() {
    }

    /** Unfolds sample x (from index 0) into col, whose rows are {@code ld} floats apart, from column {@code first}. */
    static void unfold(ConvSizes g, float[] x, float[] col, int ld, int first) {
        walk(g, x, col, ld, first, false);
    }

    /** dx = fold(dcol): adds each column entry onto the input position it was read from; dx (from index 0) is overwritten. */
    static void fold(ConvSizes g, float[] dcol, int ld, int first, float[] dx) {
        Arrays.fill(dx, 0, g.inputSample(), 0f);
        walk(g, dx, dcol, ld, first, true);
    }

    /** Every run of taps of the column matrix: copies image → col (unfold, zeros in the padding) or adds col → image (fold). */
    private static void walk(ConvSizes g, float[] image, float[] col, int ld, int first, boolean fold) {
        int q = g.q(), sw = g.strideW(), plane = g.plane(), padded = g.paddedPlane();
        for (int ci = 0; ci < g.c(); ci++) {
            for (int kh = 0; kh < g.r(); kh++) {
                for (int kw = 0; kw < g.s(); kw++) {
                    int row = ((ci * g.r() + kh) * g.s() + kw) * ld + first;
                    int wOffset = kw * g.dilationW() - g.padW();
                    int owFrom = firstInside(wOffset, sw, q), owTo = endInside(wOffset, sw, g.w(), q, owFrom);
                    for (int oh = 0; oh < g.p(); oh++) {
                        int ih = oh * g.strideH() + kh * g.dilationH() - g.padH();
                        int column = row + oh * q;
                        if (ih < 0 || ih >= g.h()) {
                            if (!fold) Arrays.fill(col, column, column + q, 0f);
                            continue;
                        }
                        int source = (ci * g.h() + ih) * g.w() + wOffset; // image index of output column ow is source + ow·sw
                        if (fold) {
                            addRun(col, column, image, source, sw, owFrom, owTo);
                        } else {
                            copyRun(image, source, sw, col, column, q, owFrom, owTo);
                        }
                    }
                    if (!fold) Arrays.fill(col, row + plane, row + padded, 0f);
                }
            }
        }
    }

    /** col[column + ow] = x[source + ow·sw] inside [owFrom, owTo), 0 outside it. Plain loops, not System.arraycopy:
     *  runs are short (4 to 28 floats), where the call costs more than the copy; stride 1 in a form the JIT vectorises. */
    private static void copyRun(float[] x, int source, int sw, float[] col, int column, int q, int owFrom, int owTo) {
        for (int ow = 0; ow < owFrom; ow++) col[column + ow] = 0f;
        if (sw == 1) {
            for (int ow = owFrom; ow < owTo; ow++) col[column + ow] = x[source + ow];
        } else {
            for (int ow = owFrom; ow < owTo; ow++) col[column + ow] = x[source + ow * sw];
        }
        for (int ow = owTo; ow < q; ow++) col[column + ow] = 0f;
    }

    /** dx[source + ow·sw] += dcol[column + ow] for ow in [owFrom, owTo). */
    private static void addRun(float[] dcol, int column, float[] dx, int source, int sw, int owFrom, int owTo) {
        if (sw == 1) {
            for (int ow = owFrom; ow < owTo; ow++) dx[source + ow] += dcol[column + ow];
        } else {
            for (int ow = owFrom; ow < owTo; ow++) dx[source + ow * sw] += dcol[column + ow];
        }
    }

    /** First output column whose input column {@code ow·stride + offset} is ≥ 0 (at most q). */
    private static int firstInside(int offset, int stride, int q) {
        return offset >= 0 ? 0 : Math.min(q, (-offset + stride - 1) / stride);
    }

    /** One past the last output column whose input column is &lt; width (at least {@code from}). */
    private static int endInside(int offset, int stride, int width, int q, int from) {
        int end = width - offset <= 0 ? 0 : (width - offset + stride - 1) / stride;
        return Math.max(from, Math.min(q, end));
    }
}
