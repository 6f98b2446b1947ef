package dev.isthmus.backend.vector;

import dev.isthmus.backend.parallel.ForkJoinParts;
import dev.isthmus.backend.vector.WorkArrays.Slot;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;

/**
 * Convolution forward and both backward passes as im2col plus {@link VectorGemm} products, on float32 NCHW
 * tensors in native memory. One parallel decision per op: the batch is cut into chunks of a few samples,
 * run on the common pool; every chunk is computed the same way whichever thread runs it, so results do not
 * depend on the number of threads.
 */
final class VectorConvolution {
    /** Samples are put side by side in one column matrix until its rows are about this long (4×4 planes: 16 samples). */
    private static final int PRODUCT_ROW = 256;
    /** The weight gradient is summed over the batch in this many fixed groups, then the groups in order. */
    static final int WEIGHT_GRADIENT_GROUPS = 8;

    private VectorConvolution() {
    }

    /** y[n][k][pq] = bias[k] + Σ_row weight[k·rows + row] · col_n[row][pq]. */
    static void forward(ConvSizes g, MemorySegment input, float[] weight, float[] bias, MemorySegment output) {
        int per = samplesPerProduct(g), rows = g.columnRows(), padded = g.paddedPlane();
        ForkJoinParts.forEach(ceilDiv(g.n(), per), chunk -> {
            int from = chunk * per, to = Math.min(g.n(), from + per), ld = (to - from) * padded;
            WorkArrays work = WorkArrays.get();
            float[] col = unfoldSamples(g, input, from, to, work);
            float[] y = work.floats(Slot.PRODUCT, g.k() * ld);
            for (int k = 0; k < g.k(); k++) Arrays.fill(y, k * ld, (k + 1) * ld, bias == null ? 0f : bias[k]);
            VectorGemm.multiplyAdd(g.k(), ld, rows, weight, 0, rows, col, 0, ld, y, 0, ld);
            for (int n = from; n < to; n++) {
                for (int k = 0; k < g.k(); k++) {
                    MemorySegment.copy(y, k * ld + (n - from) * padded, output, JAVA_FLOAT_UNALIGNED,
                            ((long) n * g.k() + k) * g.plane() * Float.BYTES, g.plane());
                }
            }
        });
    }

    /** dx[n] = fold(weightᵀ · dy[n]); {@code weightTransposed} is [c·r·s, k]. */
    static void backwardData(ConvSizes g, MemorySegment gradOutput, float[] weightTransposed, MemorySegment gradInput) {
        int per = samplesPerProduct(g), rows = g.columnRows(), padded = g.paddedPlane();
        ForkJoinParts.forEach(ceilDiv(g.n(), per), chunk -> {
            int from = chunk * per, to = Math.min(g.n(), from + per), ld = (to - from) * padded;
            WorkArrays work = WorkArrays.get();
            float[] dy = gradOutputRows(g, gradOutput, from, to, work);
            float[] dcol = work.floats(Slot.COLUMNS, rows * ld);
            Arrays.fill(dcol, 0, rows * ld, 0f);
            VectorGemm.multiplyAdd(rows, ld, g.k(), weightTransposed, 0, g.k(), dy, 0, ld, dcol, 0, ld);
            float[] dx = work.floats(Slot.SAMPLE, g.inputSample());
            for (int n = from; n < to; n++) {
                ColumnMatrix.fold(g, dcol, ld, (n - from) * padded, dx);
                MemorySegment.copy(dx, 0, gradInput, JAVA_FLOAT_UNALIGNED, (long) n * g.inputSample() * Float.BYTES, g.inputSample());
            }
        });
    }

    /**
     * dW[k][row] = Σ_n Σ_pq dy[n][k][pq] · col_n[row][pq], as dot products along the output positions
     * ({@link VectorGemm#multiplyTransposedAdd}), summed in {@link #WEIGHT_GRADIENT_GROUPS} fixed groups of samples.
     */
    static float[] backwardWeight(ConvSizes g, MemorySegment input, MemorySegment gradOutput) {
        int rows = g.columnRows(), size = g.k() * rows, groups = Math.min(WEIGHT_GRADIENT_GROUPS, g.n());
        int per = samplesPerProduct(g), padded = g.paddedPlane();
        float[][] partial = new float[groups][size];
        ForkJoinParts.forEach(groups, group -> {
            int first = (int) ((long) g.n() * group / groups), end = (int) ((long) g.n() * (group + 1) / groups);
            WorkArrays work = WorkArrays.get();
            for (int from = first; from < end; from += per) {
                int to = Math.min(end, from + per), ld = (to - from) * padded;
                float[] col = unfoldSamples(g, input, from, to, work);
                float[] dy = gradOutputRows(g, gradOutput, from, to, work);
                VectorGemm.multiplyTransposedAdd(g.k(), rows, ld, dy, 0, ld, col, 0, ld, partial[group], 0, rows);
            }
        });
        float[] gradWeight = partial[0];
        for (int group = 1; group < groups; group++) {
            float[] source = partial[group];
            for (int i = 0; i < size; i++) gradWeight[i] += source[i];
        }
        return gradWeight;
    }

    private static int samplesPerProduct(ConvSizes g) {
        return Math.max(1, Math.min(PRODUCT_ROW / g.paddedPlane(), ceilDiv(g.n(), ForkJoinParts.threads())));
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /** Column matrix of samples [from, to) side by side, in this thread's COLUMNS array. */
    private static float[] unfoldSamples(ConvSizes g, MemorySegment input, int from, int to, WorkArrays work) {
        int ld = (to - from) * g.paddedPlane();
        float[] x = work.floats(Slot.SAMPLE, g.inputSample());
        float[] col = work.floats(Slot.COLUMNS, g.columnRows() * ld);
        for (int n = from; n < to; n++) {
            MemorySegment.copy(input, JAVA_FLOAT_UNALIGNED, (long) n * g.inputSample() * Float.BYTES, x, 0, g.inputSample());
            ColumnMatrix.unfold(g, x, col, ld, (n - from) * g.paddedPlane());
        }
        return col;
    }

    /** dy of samples [from, to) as k rows, samples side by side, zero after each plane, in this thread's OPERAND array. */
    private static float[] gradOutputRows(ConvSizes g, MemorySegment gradOutput, int from, int to, WorkArrays work) {
        int plane = g.plane(), padded = g.paddedPlane(), ld = (to - from) * padded;
        float[] dy = work.floats(Slot.OPERAND, g.k() * ld);
        for (int n = from; n < to; n++) {
            for (int k = 0; k < g.k(); k++) {
                int at = k * ld + (n - from) * padded;
                MemorySegment.copy(gradOutput, JAVA_FLOAT_UNALIGNED, ((long) n * g.k() + k) * plane * Float.BYTES, dy, at, plane);
                Arrays.fill(dy, at + plane, at + padded, 0f);
            }
        }
        return dy;
    }
}
