package dev.isthmus.backend.reference;

import java.util.Arrays;

/**
 * Matrix products on matrices stored as arrays of rows: {@code C = init + A·B} and {@code C += A·B}.
 * <p>
 * The loop that does the work is a saxpy over one row of C, {@code c[j] += a·b[j]}, eight rows of
 * B at a time so each element of C is loaded and stored once per eight products. Every array in
 * that loop is indexed by the same plain {@code j}: C2 (JDK 25) vectorises it to AVX only then.
 * With a flat matrix the rows would be one array at different offsets, which C2 must assume may
 * overlap, and the loop stays scalar (measured 3–5 against 20–30 GFLOP/s per core).
 * <p>
 * The summation order is fixed (k ascending, in groups), so results are bit-identical from run
 * to run, and each row of C is computed on its own: splitting rows across threads changes nothing.
 */
final class RowGemm {
    private RowGemm() {
    }

    /**
     * {@code c[i][j] += Σ_k a[i][k] · b[k][j]} for {@code i < m}, {@code j < n}, {@code k < depth}.
     * Rows may be longer than used; only the first {@code depth} entries of each row of A and the
     * first {@code n} entries of each row of B and C are touched.
     */
    static void multiplyAdd(int m, int n, int depth, float[][] a, float[][] b, float[][] c) {
        product(m, n, depth, a, b, c, false, null);
    }

    /**
     * {@code c[i][j] = init[i] + Σ_k a[i][k] · b[k][j]} ({@code init} null means 0): like
     * {@link #multiplyAdd} but overwriting C.
     */
    static void multiply(int m, int n, int depth, float[][] a, float[][] b, float[][] c, float[] init) {
        product(m, n, depth, a, b, c, true, init);
    }

    /**
     * The one kernel. Its loops must stay in this method: moved into a helper called per row,
     * C2 left them unvectorised (measured 8 against 17–25 GFLOP/s).
     */
    private static void product(int m, int n, int depth, float[][] a, float[][] b, float[][] c, boolean overwrite, float[] init) {
        for (int i = 0; i < m; i++) {
            float[] ci = c[i];
            float[] ai = a[i];
            if (overwrite) {
                Arrays.fill(ci, 0, n, init == null ? 0f : init[i]);
            }
            int k = 0;
            for (; k + 7 < depth; k += 8) {
                float a0 = ai[k], a1 = ai[k + 1], a2 = ai[k + 2], a3 = ai[k + 3];
                float a4 = ai[k + 4], a5 = ai[k + 5], a6 = ai[k + 6], a7 = ai[k + 7];
                float[] b0 = b[k], b1 = b[k + 1], b2 = b[k + 2], b3 = b[k + 3];
                float[] b4 = b[k + 4], b5 = b[k + 5], b6 = b[k + 6], b7 = b[k + 7];
                for (int j = 0; j < n; j++) {
                    ci[j] += ((a0 * b0[j] + a1 * b1[j]) + (a2 * b2[j] + a3 * b3[j]))
                            + ((a4 * b4[j] + a5 * b5[j]) + (a6 * b6[j] + a7 * b7[j]));
                }
            }
            for (; k + 3 < depth; k += 4) {
                float a0 = ai[k], a1 = ai[k + 1], a2 = ai[k + 2], a3 = ai[k + 3];
                float[] b0 = b[k], b1 = b[k + 1], b2 = b[k + 2], b3 = b[k + 3];
                for (int j = 0; j < n; j++) {
                    ci[j] += (a0 * b0[j] + a1 * b1[j]) + (a2 * b2[j] + a3 * b3[j]);
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
