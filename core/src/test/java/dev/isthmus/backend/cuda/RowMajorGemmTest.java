package dev.isthmus.backend.cuda;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Proves the row-major → column-major cuBLAS argument mappings of the linear layer without a GPU:
 * the column-major reference multiply (what cublasSgemm computes with those arguments) applied to the
 * row-major buffers must give the row-major products. All sizes differ (N=3, in=5, out=2), so a
 * swapped transpose or leading dimension reads out of place or out of bounds.
 */
class RowMajorGemmTest {
    private static final int N = 3;
    private static final int IN = 5;
    private static final int OUT = 2;

    private final SplittableRandom random = new SplittableRandom(7);

    private float[] random(int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float) (random.nextDouble() * 2 - 1);
        return values;
    }

    /** Row-major C[rows, cols] = A[rows, inner] · B[inner, cols], with accessors for transposed reads. */
    private interface Matrix {
        float at(int row, int col);
    }

    private static float[] rowMajorProduct(int rows, int inner, int cols, Matrix a, Matrix b) {
        float[] c = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int col = 0; col < cols; col++) {
                double sum = 0;
                for (int i = 0; i < inner; i++) sum += (double) a.at(r, i) * b.at(i, col);
                c[r * cols + col] = (float) sum;
            }
        }
        return c;
    }

    @Test
    void forwardComputesInputTimesWeightTransposed() {
        float[] x = random(N * IN);     // [N, in]
        float[] w = random(OUT * IN);   // [out, in]
        float[] expected = rowMajorProduct(N, IN, OUT, (r, i) -> x[r * IN + i], (i, c) -> w[c * IN + i]);
        RowMajorGemm gemm = RowMajorGemm.linearForward(N, IN, OUT);
        float[] y = new float[N * OUT];
        gemm.referenceMultiply(w, x, y); // A = W, B = x, as CudaBackend.linear passes them
        assertArrayEquals(expected, y, 1e-6f);
        assertEquals(new RowMajorGemm(true, false, OUT, N, IN, IN, IN, OUT), gemm);
    }

    @Test
    void backwardInputComputesGradOutputTimesWeight() {
        float[] dy = random(N * OUT);   // [N, out]
        float[] w = random(OUT * IN);   // [out, in]
        float[] expected = rowMajorProduct(N, OUT, IN, (r, o) -> dy[r * OUT + o], (o, c) -> w[o * IN + c]);
        float[] dx = new float[N * IN];
        RowMajorGemm.linearBackwardInput(N, IN, OUT).referenceMultiply(w, dy, dx); // A = W, B = dy
        assertArrayEquals(expected, dx, 1e-6f);
    }

    @Test
    void backwardWeightComputesGradOutputTransposedTimesInput() {
        float[] x = random(N * IN);     // [N, in]
        float[] dy = random(N * OUT);   // [N, out]
        float[] expected = rowMajorProduct(OUT, N, IN, (o, r) -> dy[r * OUT + o], (r, c) -> x[r * IN + c]);
        float[] dw = new float[OUT * IN];
        RowMajorGemm.linearBackwardWeight(N, IN, OUT).referenceMultiply(x, dy, dw); // A = x, B = dy
        assertArrayEquals(expected, dw, 1e-6f);
    }

    @Test
    void aWrongTransposeIsCaught() {
        // The check above is not vacuous: flipping opA of the forward mapping reads W out of place.
        float[] x = random(N * IN);
        float[] w = random(OUT * IN);
        RowMajorGemm good = RowMajorGemm.linearForward(N, IN, OUT);
        RowMajorGemm flipped = new RowMajorGemm(false, good.transposeB(), good.m(), good.n(), good.k(), good.lda(), good.ldb(), good.ldc());
        float[] y = new float[N * OUT];
        float[] expected = new float[N * OUT];
        good.referenceMultiply(w, x, expected);
        try {
            flipped.referenceMultiply(w, x, y);
        } catch (ArrayIndexOutOfBoundsException e) {
            return; // out of bounds: clearly wrong
        }
        assertThrows(AssertionError.class, () -> assertArrayEquals(expected, y, 1e-6f));
    }
}
