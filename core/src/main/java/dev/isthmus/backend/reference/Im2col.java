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
 */
final class Im2col {
    private Im2col() {
    }

    /** col[row][column] as described above; x is one sample [C, H, W] from index 0. */
    static void unfold(ConvGeometry g, float[] x, float[][] col) {
        for (int ci = 0; ci < g.c(); ci++) {
            for (int kh = 0; kh < g.r(); kh++) {
                for (int kw = 0; kw < g.s(); kw++) {
                    float[] row = col[(ci * g.r() + kh) * g.s() + kw];
                    for (int oh = 0; oh < g.p(); oh++) {
                        int ih = oh * g.strideH() - g.padH() + kh * g.dilationH();
                        int column = oh * g.q();
                        if (ih < 0 || ih >= g.h()) {
                            Arrays.fill(row, column, column + g.q(), 0f);
                            continue;
                        }
                        int inputRow = (ci * g.h() + ih) * g.w();
                        for (int ow = 0; ow < g.q(); ow++) {
                            int iw = ow * g.strideW() - g.padW() + kw * g.dilationW();
                            row[column + ow] = iw >= 0 && iw < g.w() ? x[inputRow + iw] : 0f;
                        }
                    }
                }
            }
        }
    }

    /** The transpose of {@link #unfold}: colT[column][row], for the weight gradient's row-wise product. */
    static void unfoldTransposed(ConvGeometry g, float[] x, float[][] colT) {
        for (int ci = 0; ci < g.c(); ci++) {
            for (int kh = 0; kh < g.r(); kh++) {
                for (int kw = 0; kw < g.s(); kw++) {
                    int row = (ci * g.r() + kh) * g.s() + kw;
                    for (int oh = 0; oh < g.p(); oh++) {
                        int ih = oh * g.strideH() - g.padH() + kh * g.dilationH();
                        boolean rowInside = ih >= 0 && ih < g.h();
                        int inputRow = (ci * g.h() + ih) * g.w();
                        for (int ow = 0; ow < g.q(); ow++) {
                            int iw = ow * g.strideW() - g.padW() + kw * g.dilationW();
                            colT[oh * g.q() + ow][row] = rowInside && iw >= 0 && iw < g.w() ? x[inputRow + iw] : 0f;
                        }
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
        for (int ci = 0; ci < g.c(); ci++) {
            for (int kh = 0; kh < g.r(); kh++) {
                for (int kw = 0; kw < g.s(); kw++) {
                    float[] row = dcol[(ci * g.r() + kh) * g.s() + kw];
                    for (int oh = 0; oh < g.p(); oh++) {
                        int ih = oh * g.strideH() - g.padH() + kh * g.dilationH();
                        if (ih < 0 || ih >= g.h()) continue;
                        int inputRow = (ci * g.h() + ih) * g.w();
                        int column = oh * g.q();
                        for (int ow = 0; ow < g.q(); ow++) {
                            int iw = ow * g.strideW() - g.padW() + kw * g.dilationW();
                            if (iw >= 0 && iw < g.w()) dx[inputRow + iw] += row[column + ow];
                        }
                    }
                }
            }
        }
    }
}
