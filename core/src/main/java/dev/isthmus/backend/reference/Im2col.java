package dev.isthmus.backend.reference;

import java.util.Arrays;

/**
 * Unfolds one sample's input into the matrix whose product with the weight is the convolution,
 * and folds a gradient of that matrix back onto the input.
 * <p>
 * Row {@code (ci·R + kh)·S + kw}, column {@code oh·Q + ow} holds
 * {@code x[ci][oh·strideH − padH + kh·dilationH][ow·strideW − padW + kw·dilationW]}, or 0 where that
 * falls in the padding. Then {@code y[k][oh·Q + ow] = Σ_row weight[k][row] · col[row][oh·Q + ow]}:
 * PyTorch's cross-correlation.
 * <p>
 * For speed the loops do not test every position: for each kernel column kw they first work out
 * the range of output columns whose input column lies inside the image ({@link TapRange}), copy
 * that run (one {@code arraycopy} at stride 1) and zero the rest.
 */
final class Im2col {
    private Im2col() {
    }

    /** col[row][column] as described above; x is one sample [C, H, W] from index 0. */
    static void unfold(ConvGeometry g, float[] x, float[][] col) {
        unfold(g, x, col, 0);
    }

    /** {@link #unfold} into columns [firstColumn, firstColumn + P·Q) of col, for several samples side by side. */
    static void unfold(ConvGeometry g, float[] x, float[][] col, int firstColumn) {
        int q = g.q(), sw = g.strideW();
        for (int ci = 0; ci < g.c(); ci++) {
            for (int kh = 0; kh < g.r(); kh++) {
                int hOffset = kh * g.dilationH() - g.padH();
                for (int kw = 0; kw < g.s(); kw++) {
                    float[] row = col[(ci * g.r() + kh) * g.s() + kw];
                    int wOffset = kw * g.dilationW() - g.padW();
                    int owFrom = TapRange.first(wOffset, sw), owTo = TapRange.end(wOffset, sw, g.w(), q, owFrom);
                    for (int oh = 0; oh < g.p(); oh++) {
                        int ih = oh * g.strideH() + hOffset;
                        int column = firstColumn + oh * q;
                        if (ih < 0 || ih >= g.h()) {
                            Arrays.fill(row, column, column + q, 0f);
                            continue;
                        }
                        int source = (ci * g.h() + ih) * g.w() + wOffset; // x index of output column ow is source + ow·sw
                        // The padded edges are a few entries: plain loops, cheaper than Arrays.fill calls.
                        for (int ow = 0; ow < owFrom; ow++) row[column + ow] = 0f;
                        if (sw == 1) {
                            System.arraycopy(x, source + owFrom, row, column + owFrom, owTo - owFrom);
                        } else {
                            for (int ow = owFrom; ow < owTo; ow++) row[column + ow] = x[source + ow * sw];
                        }
                        for (int ow = owTo; ow < q; ow++) row[column + ow] = 0f;
                    }
                }
            }
        }
    }

    /** The transpose of {@link #unfold}: colT[column][row], for the weight gradient's row-wise product. */
    static void unfoldTransposed(ConvGeometry g, float[] x, float[][] colT) {
        int q = g.q(), r = g.r(), s = g.s(), dh = g.dilationH(), dw = g.dilationW();
        for (int oh = 0; oh < g.p(); oh++) {
            int ihFirst = oh * g.strideH() - g.padH(); // input row of kernel tap kh is ihFirst + kh·dh
            int khFrom = TapRange.first(ihFirst, dh), khTo = TapRange.end(ihFirst, dh, g.h(), r, khFrom);
            for (int ow = 0; ow < q; ow++) {
                float[] target = colT[oh * q + ow];
                int iwFirst = ow * g.strideW() - g.padW(); // input column of kernel tap kw is iwFirst + kw·dw
                int kwFrom = TapRange.first(iwFirst, dw), kwTo = TapRange.end(iwFirst, dw, g.w(), s, kwFrom);
                if (khFrom > 0 || khTo < r || kwFrom > 0 || kwTo < s) {
                    Arrays.fill(target, 0, g.columnRows(), 0f); // the window reaches into the padding
                }
                for (int ci = 0; ci < g.c(); ci++) {
                    for (int kh = khFrom; kh < khTo; kh++) {
                        int source = (ci * g.h() + ihFirst + kh * dh) * g.w() + iwFirst;
                        int row = (ci * r + kh) * s;
                        for (int kw = kwFrom; kw < kwTo; kw++) target[row + kw] = x[source + kw * dw];
                    }
                }
            }
        }
    }

    /**
     * The adjoint of {@link #unfold}: {@code dx[ci][ih][iw] += dcol[row][column]} for every entry
     * that {@link #unfold} read from {@code x[ci][ih][iw]}. dx is one sample [C, H, W], zeroed here.
     */
    static void fold(ConvGeometry g, float[][] dcol, float[] dx) {
        Arrays.fill(dx, 0, g.inputSample(), 0f);
        int q = g.q(), sw = g.strideW();
        for (int ci = 0; ci < g.c(); ci++) {
            for (int kh = 0; kh < g.r(); kh++) {
                int hOffset = kh * g.dilationH() - g.padH();
                for (int kw = 0; kw < g.s(); kw++) {
                    float[] row = dcol[(ci * g.r() + kh) * g.s() + kw];
                    int wOffset = kw * g.dilationW() - g.padW();
                    int owFrom = TapRange.first(wOffset, sw), owTo = TapRange.end(wOffset, sw, g.w(), q, owFrom);
                    for (int oh = 0; oh < g.p(); oh++) {
                        int ih = oh * g.strideH() + hOffset;
                        if (ih < 0 || ih >= g.h()) continue;
                        int target = (ci * g.h() + ih) * g.w() + wOffset;
                        int column = oh * q;
                        for (int ow = owFrom; ow < owTo; ow++) dx[target + ow * sw] += row[column + ow];
                    }
                }
            }
        }
    }

    /** The adjoint of {@link #unfoldTransposed}: {@link #fold} for a matrix laid out as colT[column][row]. */
    static void foldTransposed(ConvGeometry g, float[][] dcolT, float[] dx) {
        Arrays.fill(dx, 0, g.inputSample(), 0f);
        int q = g.q(), s = g.s(), sw = g.strideW(), dw = g.dilationW();
        for (int oh = 0; oh < g.p(); oh++) {
            for (int ow = 0; ow < q; ow++) {
                float[] source = dcolT[oh * q + ow];
                int iwFirst = ow * sw - g.padW(); // input column of kernel tap kw is iwFirst + kw·dw
                int kwFrom = TapRange.first(iwFirst, dw), kwTo = TapRange.end(iwFirst, dw, g.w(), s, kwFrom);
                for (int ci = 0; ci < g.c(); ci++) {
                    for (int kh = 0; kh < g.r(); kh++) {
                        int ih = oh * g.strideH() - g.padH() + kh * g.dilationH();
                        if (ih < 0 || ih >= g.h()) continue;
                        int target = (ci * g.h() + ih) * g.w() + iwFirst;
                        int row = (ci * g.r() + kh) * s;
                        for (int kw = kwFrom; kw < kwTo; kw++) dx[target + kw * dw] += source[row + kw];
                    }
                }
            }
        }
    }
}
