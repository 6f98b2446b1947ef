package dev.isthmus.testing;

import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.backend.Pool2dSpec;

/**
 * The ops written as their textbook formulas, loop per index and double-precision sums: slow,
 * short and independent of any backend's tricks (im2col, matrix products, threads), so backends
 * can be compared against them on many random shapes. Arrays are row-major NCHW.
 */
public final class DirectFormulas {
    private DirectFormulas() {
    }

    /** Output size per axis, PyTorch's formula: floor((size + 2·pad − dilation·(kernel − 1) − 1) / stride) + 1. */
    public static int convOutputSize(int size, int kernel, int stride, int pad, int dilation) {
        return Math.floorDiv(size + 2 * pad - dilation * (kernel - 1) - 1, stride) + 1;
    }

    /** y[n][k][i][j] = b[k] + Σ_c Σ_u Σ_v x[n][c][i·sH − pH + u·dH][j·sW − pW + v·dW] · w[k][c][u][v] (zero outside x). */
    public static double[] conv2d(float[] x, int n, int c, int h, int w, float[] weight, int k, int r, int s, float[] bias, Conv2dSpec spec) {
        int p = convOutputSize(h, r, spec.strideH(), spec.padH(), spec.dilationH());
        int q = convOutputSize(w, s, spec.strideW(), spec.padW(), spec.dilationW());
        double[] y = new double[n * k * p * q];
        for (int b = 0; b < n; b++)
            for (int o = 0; o < k; o++)
                for (int i = 0; i < p; i++)
                    for (int j = 0; j < q; j++) {
                        double sum = bias == null ? 0 : bias[o];
                        for (int ci = 0; ci < c; ci++)
                            for (int u = 0; u < r; u++)
                                for (int v = 0; v < s; v++) {
                                    int ih = i * spec.strideH() - spec.padH() + u * spec.dilationH();
                                    int iw = j * spec.strideW() - spec.padW() + v * spec.dilationW();
                                    if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                                    sum += (double) x[((b * c + ci) * h + ih) * w + iw] * weight[((o * c + ci) * r + u) * s + v];
                                }
                        y[((b * k + o) * p + i) * q + j] = sum;
                    }
        return y;
    }

    /** dW[o][ci][u][v] = Σ_b Σ_i Σ_j dy[b][o][i][j] · x[b][ci][i·sH − pH + u·dH][j·sW − pW + v·dW] (zero outside x). */
    public static double[] conv2dWeightGradient(float[] x, int n, int c, int h, int w, float[] dy, int k, int r, int s, Conv2dSpec spec) {
        int p = convOutputSize(h, r, spec.strideH(), spec.padH(), spec.dilationH());
        int q = convOutputSize(w, s, spec.strideW(), spec.padW(), spec.dilationW());
        double[] dw = new double[k * c * r * s];
        for (int o = 0; o < k; o++)
            for (int ci = 0; ci < c; ci++)
                for (int u = 0; u < r; u++)
                    for (int v = 0; v < s; v++) {
                        double sum = 0;
                        for (int b = 0; b < n; b++)
                            for (int i = 0; i < p; i++)
                                for (int j = 0; j < q; j++) {
                                    int ih = i * spec.strideH() - spec.padH() + u * spec.dilationH();
                                    int iw = j * spec.strideW() - spec.padW() + v * spec.dilationW();
                                    if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                                    sum += (double) dy[((b * k + o) * p + i) * q + j] * x[((b * c + ci) * h + ih) * w + iw];
                                }
                        dw[((o * c + ci) * r + u) * s + v] = sum;
                    }
        return dw;
    }

    /** dx[b][ci][ih][iw] = Σ over (o, u, v, i, j) with i·sH − pH + u·dH = ih and j·sW − pW + v·dW = iw of dy[b][o][i][j] · w[o][ci][u][v]. */
    public static double[] conv2dInputGradient(float[] dy, int n, int k, float[] weight, int c, int r, int s, int h, int w, Conv2dSpec spec) {
        int p = convOutputSize(h, r, spec.strideH(), spec.padH(), spec.dilationH());
        int q = convOutputSize(w, s, spec.strideW(), spec.padW(), spec.dilationW());
        double[] dx = new double[n * c * h * w];
        for (int b = 0; b < n; b++)
            for (int o = 0; o < k; o++)
                for (int i = 0; i < p; i++)
                    for (int j = 0; j < q; j++)
                        for (int ci = 0; ci < c; ci++)
                            for (int u = 0; u < r; u++)
                                for (int v = 0; v < s; v++) {
                                    int ih = i * spec.strideH() - spec.padH() + u * spec.dilationH();
                                    int iw = j * spec.strideW() - spec.padW() + v * spec.dilationW();
                                    if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                                    dx[((b * c + ci) * h + ih) * w + iw] += (double) dy[((b * k + o) * p + i) * q + j] * weight[((o * c + ci) * r + u) * s + v];
                                }
        return dx;
    }

    /** Pool output size per axis (floor mode): floor((size + 2·pad − kernel) / stride) + 1. */
    public static int poolOutputSize(int size, int kernel, int stride, int pad) {
        return Math.floorDiv(size + 2 * pad - kernel, stride) + 1;
    }

    /** y = max over the window of the real positions (padding is −∞). */
    public static double[] maxPool2d(float[] x, int n, int c, int h, int w, Pool2dSpec spec) {
        return pool(x, n, c, h, w, spec, true);
    }

    /** y = (sum over the window's real positions) / (kernelH·kernelW): count_include_pad=True. */
    public static double[] avgPool2d(float[] x, int n, int c, int h, int w, Pool2dSpec spec) {
        return pool(x, n, c, h, w, spec, false);
    }

    private static double[] pool(float[] x, int n, int c, int h, int w, Pool2dSpec spec, boolean max) {
        int p = poolOutputSize(h, spec.kernelH(), spec.strideH(), spec.padH());
        int q = poolOutputSize(w, spec.kernelW(), spec.strideW(), spec.padW());
        double[] y = new double[n * c * p * q];
        for (int plane = 0; plane < n * c; plane++)
            for (int i = 0; i < p; i++)
                for (int j = 0; j < q; j++) {
                    double acc = max ? Double.NEGATIVE_INFINITY : 0;
                    for (int u = 0; u < spec.kernelH(); u++)
                        for (int v = 0; v < spec.kernelW(); v++) {
                            int ih = i * spec.strideH() - spec.padH() + u;
                            int iw = j * spec.strideW() - spec.padW() + v;
                            if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                            double value = x[(plane * h + ih) * w + iw];
                            acc = max ? Math.max(acc, value) : acc + value;
                        }
                    y[(plane * p + i) * q + j] = max ? acc : acc / (spec.kernelH() * spec.kernelW());
                }
        return y;
    }
}
