package dev.isthmus.backend.reference;

/**
 * Matrix multiply-accumulate on matrices stored as arrays of rows: {@code C += A·B}.
 * <p>
 * The loop that does the work is a saxpy over one row, {@code c[j] += a·b[j]}, four rows of B at
 * a time so each element of C is loaded and stored once per four products. Every array in that
 * loop is indexed by the same plain {@code j}: C2 (JDK 25) vectorises it to AVX only then. With a
 * flat matrix the two rows would be one array at different offsets, which C2 must assume may
 * overlap, and the loop stays scalar (measured 3–5 against 20–35 GFLOP/s per core).
 * <p>
 * The summation order is fixed (k ascending in groups of four), so results are bit-identical
 * from run to run.
 */
final class RowGemm {
    private RowGemm() {
    }

    /**
     * {@code c[i][j] += Σ_k a[i][k] · b[k][j]} for {@code i < m}, {@code j < n}, {@code k < depth}.
     * Rows may be longer than used; only the first {@code depth} entries of each row of A and the
     * first {@code n} entries of each row of B and C are read.
     */
    static void multiplyAdd(int m, int n, int depth, float[][] a, float[][] b, float[][] c) {
        for (int i = 0; i < m; i++) {
            float[] ci = c[i];
            float[] ai = a[i];
            int k = 0;
            for (; k + 3 < depth; k += 4) {
                float a0 = ai[k], a1 = ai[k + 1], a2 = ai[k + 2], a3 = ai[k + 3];
                float[] b0 = b[k], b1 = b[k + 1], b2 = b[k + 2], b3 = b[k + 3];
                for (int j = 0; j < n; j++) {
                    ci[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
                }
            }
            for (; k < depth; k++) {
                float ak = ai[k];
                float[] bk = b[k];
                for (int j = 0; j < n; j++) {
                    ci[j] += ak * bk[j];
                }
            }
        }
    }
}
