package dev.isthmus.backend.reference;

import dev.isthmus.backend.parallel.ForkJoinParts;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;

/**
 * {@code nn.Linear} forward and backward: x [N, in], W [out, in], y [N, out]. Each product is
 * arranged so the long dimension is the one {@link RowGemm} runs its vector loop over.
 */
final class LinearKernels {
    /** Below this many multiply-adds a product runs on the calling thread: forking would cost more. */
    private static final long PARALLEL_THRESHOLD = 1L << 20;

    private LinearKernels() {
    }

    /** y[n][o] = b[o] + Σ_i x[n][i] · W[o][i], computed as yᵀ[o][·] = b[o] + Σ_i W[o][i] · xᵀ[i][·]. */
    static void forward(MemorySegment input, MemorySegment weight, MemorySegment bias, int batch, int in, int out, MemorySegment output) {
        float[][] w = RowMatrices.read(weight, out, in);
        float[][] xT = RowMatrices.transpose(RowMatrices.read(input, batch, in), batch, in);
        float[][] yT = new float[out][batch];
        if (bias != null) {
            for (int o = 0; o < out; o++) Arrays.fill(yT[o], bias.getAtIndex(JAVA_FLOAT_UNALIGNED, o));
        }
        multiplyAdd(out, batch, in, w, xT, yT);
        RowMatrices.write(RowMatrices.transpose(yT, out, batch), output);
    }

    /** dx[n][i] = Σ_o dy[n][o] · W[o][i]. */
    static void backwardInput(MemorySegment gradOutput, MemorySegment weight, int batch, int in, int out, MemorySegment gradInput) {
        float[][] dx = new float[batch][in];
        multiplyAdd(batch, in, out, RowMatrices.read(gradOutput, batch, out), RowMatrices.read(weight, out, in), dx);
        RowMatrices.write(dx, gradInput);
    }

    /** dW[o][i] = Σ_n dy[n][o] · x[n][i], as dW[o][·] += dyᵀ[o][n] · x[n][·] for n = 0, 1, …. */
    static void backwardWeight(MemorySegment input, MemorySegment gradOutput, int batch, int in, int out, MemorySegment gradWeight) {
        float[][] dW = new float[out][in];
        multiplyAdd(out, in, batch, RowMatrices.transpose(RowMatrices.read(gradOutput, batch, out), batch, out), RowMatrices.read(input, batch, in), dW);
        RowMatrices.write(dW, gradWeight);
    }

    /** db[o] = Σ_n dy[n][o], summed in batch order. */
    static void backwardBias(MemorySegment gradOutput, int batch, int out, MemorySegment gradBias) {
        float[] sum = new float[out];
        float[] row = new float[out];
        for (int n = 0; n < batch; n++) {
            MemorySegment.copy(gradOutput, JAVA_FLOAT_UNALIGNED, (long) n * out * Float.BYTES, row, 0, out);
            for (int o = 0; o < out; o++) sum[o] += row[o];
        }
        MemorySegment.copy(sum, 0, gradBias, JAVA_FLOAT_UNALIGNED, 0, out);
    }

    /** {@link RowGemm#multiplyAdd}, with C's rows split across threads for large products (row results do not change). */
    private static void multiplyAdd(int m, int n, int depth, float[][] a, float[][] b, float[][] c) {
        if ((long) m * n * depth < PARALLEL_THRESHOLD) {
            RowGemm.multiplyAdd(m, n, depth, a, b, c);
        } else {
            ForkJoinParts.forRanges(m, ForkJoinParts.threads(), (from, to) -> RowGemm.multiplyAdd(to - from, n, depth,
                    RowMatrices.rows(a, from, to), b, RowMatrices.rows(c, from, to)));
        }
    }
}
