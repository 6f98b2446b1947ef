package dev.isthmus.backend.vector;

import dev.isthmus.backend.parallel.ForkJoinParts;
import dev.isthmus.backend.vector.WorkArrays.Slot;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;

/**
 * {@code nn.Linear} forward and backward with {@link VectorGemm}: x [N, in], W [out, in], y [N, out]. Rows of
 * length {@code in} are read into arrays padded to whole vectors. Products under
 * {@link #PARALLEL_THRESHOLD} multiply-adds (every lesson classifier) run on the calling thread; larger ones
 * split their output rows over the threads.
 */
final class VectorLinear {
    static final long PARALLEL_THRESHOLD = 1L << 20;

    private VectorLinear() {
    }

    /** y[n][o] = b[o] + Σ_i x[n][i] · W[o][i]: dot products along i. */
    static void forward(MemorySegment input, MemorySegment weight, MemorySegment bias, int batch, int in, int out, MemorySegment output) {
        int ld = VectorGemm.padded(in);
        WorkArrays work = WorkArrays.get();
        float[] x = readPadded(input, batch, in, ld, work.floats(Slot.SAMPLE, batch * ld));
        float[] w = readPadded(weight, out, in, ld, work.floats(Slot.OPERAND, out * ld));
        float[] y = work.floats(Slot.PRODUCT, batch * out);
        for (int n = 0; n < batch; n++) {
            if (bias == null) {
                Arrays.fill(y, n * out, (n + 1) * out, 0f);
            } else {
                MemorySegment.copy(bias, JAVA_FLOAT_UNALIGNED, 0, y, n * out, out);
            }
        }
        rows(batch, (long) out * ld, (from, to) -> VectorGemm.multiplyTransposedAdd(to - from, out, ld, x, from * ld, ld, w, 0, ld,
                y, from * out, out));
        MemorySegment.copy(y, 0, output, JAVA_FLOAT_UNALIGNED, 0, batch * out);
    }

    /** dx[n][i] = Σ_o dy[n][o] · W[o][i]: vectorised along i. */
    static void backwardInput(MemorySegment gradOutput, MemorySegment weight, int batch, int in, int out, MemorySegment gradInput) {
        int ld = VectorGemm.padded(in);
        WorkArrays work = WorkArrays.get();
        float[] dy = work.floats(Slot.SAMPLE, batch * out);
        MemorySegment.copy(gradOutput, JAVA_FLOAT_UNALIGNED, 0, dy, 0, batch * out);
        float[] w = readPadded(weight, out, in, ld, work.floats(Slot.OPERAND, out * ld));
        float[] dx = work.floats(Slot.PRODUCT, batch * ld);
        Arrays.fill(dx, 0, batch * ld, 0f);
        rows(batch, (long) ld * out, (from, to) -> VectorGemm.multiplyAdd(to - from, ld, out, dy, from * out, out, w, 0, ld,
                dx, from * ld, ld));
        writeRows(dx, batch, in, ld, gradInput);
    }

    /** dW[o][i] = Σ_n dy[n][o] · x[n][i], as dyᵀ · x: vectorised along i. */
    static void backwardWeight(MemorySegment input, MemorySegment gradOutput, int batch, int in, int out, MemorySegment gradWeight) {
        int ld = VectorGemm.padded(in);
        WorkArrays work = WorkArrays.get();
        float[] x = readPadded(input, batch, in, ld, work.floats(Slot.SAMPLE, batch * ld));
        float[] dyT = work.floats(Slot.OPERAND, out * batch);
        for (int n = 0; n < batch; n++) {
            for (int o = 0; o < out; o++) {
                dyT[o * batch + n] = gradOutput.getAtIndex(JAVA_FLOAT_UNALIGNED, (long) n * out + o);
            }
        }
        float[] dw = work.floats(Slot.PRODUCT, out * ld);
        Arrays.fill(dw, 0, out * ld, 0f);
        rows(out, (long) ld * batch, (from, to) -> VectorGemm.multiplyAdd(to - from, ld, batch, dyT, from * batch, batch, x, 0, ld,
                dw, from * ld, ld));
        writeRows(dw, out, in, ld, gradWeight);
    }

    /** Runs body over row ranges: on this thread when small, else one range per thread. */
    private static void rows(int count, long workPerRow, ForkJoinParts.RangeBody body) {
        ForkJoinParts.forRanges(count, count * workPerRow < PARALLEL_THRESHOLD ? 1 : ForkJoinParts.threads(), body);
    }

    private static float[] readPadded(MemorySegment source, int rows, int columns, int ld, float[] target) {
        for (int r = 0; r < rows; r++) {
            MemorySegment.copy(source, JAVA_FLOAT_UNALIGNED, (long) r * columns * Float.BYTES, target, r * ld, columns);
            Arrays.fill(target, r * ld + columns, (r + 1) * ld, 0f);
        }
        return target;
    }

    private static void writeRows(float[] source, int rows, int columns, int ld, MemorySegment target) {
        for (int r = 0; r < rows; r++) {
            MemorySegment.copy(source, r * ld, target, JAVA_FLOAT_UNALIGNED, (long) r * columns * Float.BYTES, columns);
        }
    }
}
