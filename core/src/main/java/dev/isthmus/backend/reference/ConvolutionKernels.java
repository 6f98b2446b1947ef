package dev.isthmus.backend.reference;

import dev.isthmus.backend.parallel.ForkJoinParts;
import dev.isthmus.backend.reference.Scratch.Slot;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;

/**
 * Convolution as im2col + matrix product, forward and the input's gradient, on float32 NCHW
 * tensors in native memory (the weight's and bias's gradients: {@link ParameterGradientKernels}). Samples run in parallel; a sample's rows are split across threads
 * instead when the batch is a single image.
 */
final class ConvolutionKernels {
    /** Target row length of the forward product, in floats. */
    private static final int PRODUCT_ROW = 256;

    private ConvolutionKernels() {
    }

    /**
     * y[n][k][pq] = bias[k] + Σ_row weight[k][row] · col_n[row][pq], with col_n = im2col(x[n]).
     * <p>
     * A few samples are unfolded side by side into one column matrix so the product's rows are
     * about {@value #PRODUCT_ROW} long (conv2: four samples of 64 positions; measured 1.4× faster
     * than one sample at a time). Each output element is computed the same way whatever the
     * grouping, so it affects speed only, never bits.
     */
    static void forward(ConvGeometry g, MemorySegment input, float[][] weight, float[] bias, MemorySegment output) {
        if (g.n() > 1) {
            int perProduct = Math.max(1, Math.min(PRODUCT_ROW / Math.max(1, g.outputPlane()), ceilDiv(g.n(), ForkJoinParts.threads())));
            ForkJoinParts.forEach(ceilDiv(g.n(), perProduct), chunk -> {
                int from = chunk * perProduct, to = Math.min(g.n(), from + perProduct);
                float[][] col = unfoldSamples(g, input, from, to);
                forwardRows(g, weight, bias, col, output, from, to, 0, g.k());
            });
        } else {
            for (int n = 0; n < g.n(); n++) {
                float[][] col = unfoldSamples(g, input, n, n + 1);
                int sample = n;
                ForkJoinParts.forRanges(g.k(), ForkJoinParts.threads(), (from, to) -> forwardRows(g, weight, bias, col, output, sample, sample + 1, from, to));
            }
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /** im2col of samples [from, to), side by side: sample n's columns start at (n − from)·P·Q. */
    static float[][] unfoldSamples(ConvGeometry g, MemorySegment input, int from, int to) {
        Scratch scratch = Scratch.get();
        float[] x = scratch.vector(Slot.INPUT, g.inputSample());
        float[][] col = scratch.matrix(Slot.COLUMNS, g.columnRows(), (to - from) * g.outputPlane());
        for (int n = from; n < to; n++) {
            MemorySegment.copy(input, JAVA_FLOAT_UNALIGNED, (long) n * g.inputSample() * Float.BYTES, x, 0, g.inputSample());
            Im2col.unfold(g, x, col, (n - from) * g.outputPlane());
        }
        return col;
    }

    /** Output channels [kFrom, kTo) of samples [nFrom, nTo), from their side-by-side column matrix. */
    private static void forwardRows(ConvGeometry g, float[][] weight, float[] bias, float[][] col, MemorySegment output,
                                    int nFrom, int nTo, int kFrom, int kTo) {
        int plane = g.outputPlane();
        float[][] y = Scratch.get().matrix(Slot.OUTPUT, kTo - kFrom, (nTo - nFrom) * plane);
        float[] rowBias = bias == null || (kFrom == 0 && kTo == bias.length) ? bias : Arrays.copyOfRange(bias, kFrom, kTo);
        RowGemm.multiply(kTo - kFrom, (nTo - nFrom) * plane, g.columnRows(), RowMatrices.rows(weight, kFrom, kTo), col, y, rowBias);
        for (int i = 0; i < kTo - kFrom; i++) {
            for (int n = nFrom; n < nTo; n++) {
                long offset = ((long) n * g.k() + kFrom + i) * plane * Float.BYTES;
                MemorySegment.copy(y[i], (n - nFrom) * plane, output, JAVA_FLOAT_UNALIGNED, offset, plane);
            }
        }
    }

    /**
     * dx[n] = fold(dcol_n) with dcol_n[row][pq] = Σ_k weight[k][row] · dy[n][k][pq]: the transposed
     * weight times the output gradient, scattered back onto the input positions each column read.
     * <p>
     * When the weight rows are longer than the output plane (conv2: 250 against 64) the product is
     * formed transposed, dcolᵀ_n[pq][·] = Σ_k dy[n][k][pq] · weight[k][·], so that {@link RowGemm}'s
     * vector loop runs along the longer side (measured 1.6× faster), and folded from that layout.
     */
    static void backwardInput(ConvGeometry g, MemorySegment gradOutput, float[][] weight, float[][] weightTransposed, MemorySegment gradInput) {
        boolean transposed = g.outputPlane() < g.columnRows();
        int productRows = transposed ? g.outputPlane() : g.columnRows();
        if (g.n() > 1) {
            ForkJoinParts.forEach(g.n(), n -> {
                float[][] dy = gradOutputRows(g, gradOutput, n, transposed);
                float[][] dcol = columnGradientMatrix(g, transposed);
                columnGradientRows(g, transposed, weight, weightTransposed, dy, dcol, 0, productRows);
                foldSample(g, transposed, dcol, gradInput, n);
            });
        } else {
            for (int n = 0; n < g.n(); n++) {
                float[][] dy = gradOutputRows(g, gradOutput, n, transposed);
                float[][] dcol = columnGradientMatrix(g, transposed);
                ForkJoinParts.forRanges(productRows, ForkJoinParts.threads(),
                        (from, to) -> columnGradientRows(g, transposed, weight, weightTransposed, dy, dcol, from, to));
                foldSample(g, transposed, dcol, gradInput, n);
            }
        }
    }

    private static float[][] columnGradientMatrix(ConvGeometry g, boolean transposed) {
        return transposed ? Scratch.get().matrix(Slot.COLUMNS_TRANSPOSED, g.outputPlane(), g.columnRows())
                : Scratch.get().matrix(Slot.COLUMNS, g.columnRows(), g.outputPlane());
    }

    /** Rows [from, to) of dcol = weightᵀ · dy, or of dcolᵀ = dyᵀ · weight. */
    private static void columnGradientRows(ConvGeometry g, boolean transposed, float[][] weight, float[][] weightTransposed,
                                           float[][] dy, float[][] dcol, int from, int to) {
        if (transposed) {
            RowGemm.multiply(to - from, g.columnRows(), g.k(), RowMatrices.rows(dy, from, to), weight, RowMatrices.rows(dcol, from, to), null);
        } else {
            RowGemm.multiply(to - from, g.outputPlane(), g.k(), RowMatrices.rows(weightTransposed, from, to), dy, RowMatrices.rows(dcol, from, to), null);
        }
    }

    private static void foldSample(ConvGeometry g, boolean transposed, float[][] dcol, MemorySegment gradInput, int n) {
        float[] dx = Scratch.get().vector(Slot.INPUT, g.inputSample());
        if (transposed) {
            Im2col.foldTransposed(g, dcol, dx);
        } else {
            Im2col.fold(g, dcol, dx);
        }
        MemorySegment.copy(dx, 0, gradInput, JAVA_FLOAT_UNALIGNED, (long) n * g.inputSample() * Float.BYTES, g.inputSample());
    }

    /** dy[n] as K rows of P·Q floats, in this thread's scratch. */
    static float[][] gradOutputRows(ConvGeometry g, MemorySegment gradOutput, int n) {
        int plane = g.outputPlane();
        float[][] dy = Scratch.get().matrix(Slot.GRAD_OUTPUT, g.k(), plane);
        for (int k = 0; k < g.k(); k++) {
            MemorySegment.copy(gradOutput, JAVA_FLOAT_UNALIGNED, ((long) n * g.k() + k) * plane * Float.BYTES, dy[k], 0, plane);
        }
        return dy;
    }

    /** dy[n] as K rows of P·Q floats, or transposed as P·Q rows of K floats. */
    private static float[][] gradOutputRows(ConvGeometry g, MemorySegment gradOutput, int n, boolean transposed) {
        float[][] dy = gradOutputRows(g, gradOutput, n);
        if (!transposed) return dy;
        float[][] dyT = Scratch.get().matrix(Slot.GRAD_OUTPUT_BLOCK, g.outputPlane(), g.k());
        for (int k = 0; k < g.k(); k++) {
            float[] row = dy[k];
            for (int pq = 0; pq < g.outputPlane(); pq++) dyT[pq][k] = row[pq];
        }
        return dyT;
    }
}
