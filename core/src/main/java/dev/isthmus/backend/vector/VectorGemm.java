package dev.isthmus.backend.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Register-blocked single-precision matrix products on row-major float arrays, written with the Vector API
 * so that every multiply-add is one FMA instruction of the widest vectors the CPU has
 * ({@link FloatVector#SPECIES_PREFERRED}: 16 floats with AVX-512, 8 with AVX2).
 * <p>
 * Both products require the vectorised length to be a multiple of {@link #LANES}: callers pad their
 * rows with zeros (see {@link #padded}), which keeps tails out of the inner loops. No cache tiling: at the
 * lesson networks' shapes one operand panel fits in L2.
 */
final class VectorGemm {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Floats per vector register. */
    static final int LANES = SPECIES.length();

    private VectorGemm() {
    }

    /** {@code length} rounded up to a whole number of vectors. */
    static int padded(int length) {
        return (length + LANES - 1) / LANES * LANES;
    }

    /**
     * c[i][j] += Σ_p a[i][p] · b[p][j] for i &lt; m, j &lt; n, p &lt; depth, vectorised along j
     * ({@code n} a multiple of {@link #LANES}). Tiles of 4 rows × 3 vectors keep 12 accumulators in registers,
     * 3 loads of b and 4 broadcasts of a per 12 FMAs; the columns left over go 4 rows × 1 vector.
     */
    static void multiplyAdd(int m, int n, int depth, float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
                            float[] c, int cOffset, int ldc) {
        int i = 0;
        for (; i + 3 < m; i += 4) {
            int j = 0;
            for (; j + 3 * LANES <= n; j += 3 * LANES) {
                tile4x3(depth, a, aOffset + i * lda, lda, b, bOffset + j, ldb, c, cOffset + i * ldc + j, ldc);
            }
            for (; j < n; j += LANES) {
                tile4x1(depth, a, aOffset + i * lda, lda, b, bOffset + j, ldb, c, cOffset + i * ldc + j, ldc);
            }
        }
        for (; i < m; i++) {
            for (int j = 0; j < n; j += LANES) {
                row1(depth, a, aOffset + i * lda, b, bOffset + j, ldb, c, cOffset + i * ldc + j);
            }
        }
    }

    /** 4 rows × 3 vectors: 12 accumulators, which with 3 loaded vectors and a broadcast fit AVX2's 16 registers too. */
    private static void tile4x3(int depth, float[] a, int a0, int lda, float[] b, int b0, int ldb,
                                float[] c, int c0, int ldc) {
        int c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        FloatVector c00, c01, c02, c10, c11, c12, c20, c21, c22, c30, c31, c32;
        c00 = c01 = c02 = c10 = c11 = c12 = c20 = c21 = c22 = c30 = c31 = c32 = FloatVector.zero(SPECIES);
        for (int p = 0; p < depth; p++) {
            int bp = b0 + p * ldb;
            FloatVector v0 = FloatVector.fromArray(SPECIES, b, bp);
            FloatVector v1 = FloatVector.fromArray(SPECIES, b, bp + LANES);
            FloatVector v2 = FloatVector.fromArray(SPECIES, b, bp + 2 * LANES);
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + p]);
            c00 = x.fma(v0, c00);
            c01 = x.fma(v1, c01);
            c02 = x.fma(v2, c02);
            x = FloatVector.broadcast(SPECIES, a[a0 + lda + p]);
            c10 = x.fma(v0, c10);
            c11 = x.fma(v1, c11);
            c12 = x.fma(v2, c12);
            x = FloatVector.broadcast(SPECIES, a[a0 + 2 * lda + p]);
            c20 = x.fma(v0, c20);
            c21 = x.fma(v1, c21);
            c22 = x.fma(v2, c22);
            x = FloatVector.broadcast(SPECIES, a[a0 + 3 * lda + p]);
            c30 = x.fma(v0, c30);
            c31 = x.fma(v1, c31);
            c32 = x.fma(v2, c32);
        }
        add(c, c0, c00);
        add(c, c0 + LANES, c01);
        add(c, c0 + 2 * LANES, c02);
        add(c, c1, c10);
        add(c, c1 + LANES, c11);
        add(c, c1 + 2 * LANES, c12);
        add(c, c2, c20);
        add(c, c2 + LANES, c21);
        add(c, c2 + 2 * LANES, c22);
        add(c, c3, c30);
        add(c, c3 + LANES, c31);
        add(c, c3 + 2 * LANES, c32);
    }

    /** 4 rows × 1 vector, for the columns left after the 4-vector tiles. */
    private static void tile4x1(int depth, float[] a, int a0, int lda, float[] b, int b0, int ldb,
                                float[] c, int c0, int ldc) {
        FloatVector c0v, c1v, c2v, c3v;
        c0v = c1v = c2v = c3v = FloatVector.zero(SPECIES);
        for (int p = 0; p < depth; p++) {
            FloatVector v = FloatVector.fromArray(SPECIES, b, b0 + p * ldb);
            c0v = FloatVector.broadcast(SPECIES, a[a0 + p]).fma(v, c0v);
            c1v = FloatVector.broadcast(SPECIES, a[a0 + lda + p]).fma(v, c1v);
            c2v = FloatVector.broadcast(SPECIES, a[a0 + 2 * lda + p]).fma(v, c2v);
            c3v = FloatVector.broadcast(SPECIES, a[a0 + 3 * lda + p]).fma(v, c3v);
        }
        add(c, c0, c0v);
        add(c, c0 + ldc, c1v);
        add(c, c0 + 2 * ldc, c2v);
        add(c, c0 + 3 * ldc, c3v);
    }

    private static void row1(int depth, float[] a, int a0, float[] b, int b0, int ldb, float[] c, int c0) {
        FloatVector acc = FloatVector.zero(SPECIES);
        for (int p = 0; p < depth; p++) {
            acc = FloatVector.broadcast(SPECIES, a[a0 + p]).fma(FloatVector.fromArray(SPECIES, b, b0 + p * ldb), acc);
        }
        add(c, c0, acc);
    }

    /**
     * c[i][j] += Σ_p a[i][p] · b[j][p]: both operands row-major along the summed index, vectorised along p
     * ({@code depth} a multiple of {@link #LANES}), each sum reduced across lanes once at the end. Tiles of
     * 4 rows of a × 2 rows of b (then 2 × 2, then single dot products for what is left).
     */
    static void multiplyTransposedAdd(int m, int n, int depth, float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
                                      float[] c, int cOffset, int ldc) {
        int i = 0;
        for (; i + 3 < m; i += 4) {
            int j = 0;
            for (; j + 1 < n; j += 2) {
                dots4x2(depth, a, aOffset + i * lda, lda, b, bOffset + j * ldb, ldb, c, cOffset + i * ldc + j, ldc);
            }
            for (; j < n; j++) {
                for (int r = 0; r < 4; r++) {
                    dot(depth, a, aOffset + (i + r) * lda, b, bOffset + j * ldb, c, cOffset + (i + r) * ldc + j);
                }
            }
        }
        for (; i + 1 < m; i += 2) {
            int j = 0;
            for (; j + 1 < n; j += 2) {
                int a0 = aOffset + i * lda, a1 = a0 + lda, b0 = bOffset + j * ldb, b1 = b0 + ldb;
                FloatVector s00 = FloatVector.zero(SPECIES), s01 = s00, s10 = s00, s11 = s00;
                for (int p = 0; p < depth; p += LANES) {
                    FloatVector x0 = FloatVector.fromArray(SPECIES, a, a0 + p), x1 = FloatVector.fromArray(SPECIES, a, a1 + p);
                    FloatVector y0 = FloatVector.fromArray(SPECIES, b, b0 + p), y1 = FloatVector.fromArray(SPECIES, b, b1 + p);
                    s00 = x0.fma(y0, s00);
                    s01 = x0.fma(y1, s01);
                    s10 = x1.fma(y0, s10);
                    s11 = x1.fma(y1, s11);
                }
                int c0 = cOffset + i * ldc + j;
                store(c, c0, s00);
                store(c, c0 + 1, s01);
                store(c, c0 + ldc, s10);
                store(c, c0 + ldc + 1, s11);
            }
            for (; j < n; j++) {
                dot(depth, a, aOffset + i * lda, b, bOffset + j * ldb, c, cOffset + i * ldc + j);
                dot(depth, a, aOffset + (i + 1) * lda, b, bOffset + j * ldb, c, cOffset + (i + 1) * ldc + j);
            }
        }
        for (; i < m; i++) {
            for (int j = 0; j < n; j++) {
                dot(depth, a, aOffset + i * lda, b, bOffset + j * ldb, c, cOffset + i * ldc + j);
            }
        }
    }

    /** Rows i..i+3 of a against rows j, j+1 of b: 8 accumulators, 6 loads per 8 FMAs. */
    private static void dots4x2(int depth, float[] a, int a0, int lda, float[] b, int b0, int ldb,
                                float[] c, int c0, int ldc) {
        int a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, b1 = b0 + ldb;
        FloatVector s00 = FloatVector.zero(SPECIES), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00, s31 = s00;
        for (int p = 0; p < depth; p += LANES) {
            FloatVector y0 = FloatVector.fromArray(SPECIES, b, b0 + p), y1 = FloatVector.fromArray(SPECIES, b, b1 + p);
            FloatVector x = FloatVector.fromArray(SPECIES, a, a0 + p);
            s00 = x.fma(y0, s00);
            s01 = x.fma(y1, s01);
            x = FloatVector.fromArray(SPECIES, a, a1 + p);
            s10 = x.fma(y0, s10);
            s11 = x.fma(y1, s11);
            x = FloatVector.fromArray(SPECIES, a, a2 + p);
            s20 = x.fma(y0, s20);
            s21 = x.fma(y1, s21);
            x = FloatVector.fromArray(SPECIES, a, a3 + p);
            s30 = x.fma(y0, s30);
            s31 = x.fma(y1, s31);
        }
        store(c, c0, s00);
        store(c, c0 + 1, s01);
        store(c, c0 + ldc, s10);
        store(c, c0 + ldc + 1, s11);
        store(c, c0 + 2 * ldc, s20);
        store(c, c0 + 2 * ldc + 1, s21);
        store(c, c0 + 3 * ldc, s30);
        store(c, c0 + 3 * ldc + 1, s31);
    }

    private static void dot(int depth, float[] a, int a0, float[] b, int b0, float[] c, int c0) {
        FloatVector s = FloatVector.zero(SPECIES);
        for (int p = 0; p < depth; p += LANES) {
            s = FloatVector.fromArray(SPECIES, a, a0 + p).fma(FloatVector.fromArray(SPECIES, b, b0 + p), s);
        }
        store(c, c0, s);
    }

    /**
     * c[index…] += v. The product always accumulates (callers zero c first when they want c = a·b): a flag
     * choosing load-or-zero, or add-or-overwrite, gave C2 a branch whose untaken side trapped when a training step
     * used the other case; after enough recompilations C2 gave up on the tile, which then ran with every vector
     * boxed (measured: 4.9 GB of heap in 60 Inception steps, ~240 ms per step).
     */
    private static void add(float[] c, int index, FloatVector v) {
        v.add(FloatVector.fromArray(SPECIES, c, index)).intoArray(c, index);
    }

    private static void store(float[] c, int index, FloatVector sum) {
        c[index] += sum.reduceLanes(VectorOperators.ADD);
    }
}
