package dev.isthmus.backend.cuda;

/**
 * The arguments of one {@code cublasSgemm} call that computes a row-major product.
 * <p>
 * cuBLAS is column-major: a row-major matrix {@code M[r, c]} stored densely is, read column-major,
 * the matrix {@code Mᵀ[c, r]} with leading dimension {@code c}. So each row-major product below is
 * computed as the transposed product in column-major terms, with no copy:
 * <pre>
 * linear forward      y[N,out]  = x[N,in] · W[out,in]ᵀ   ⇔  yᵀ[out,N]  = W · xᵀ    → opA=T (W read as [in,out]ᵀ), opB=N
 * backward input      dx[N,in]  = dy[N,out] · W[out,in]   ⇔  dxᵀ[in,N]  = Wᵀ · dyᵀ  → opA=N, opB=N
 * backward weight     dW[out,in] = dy[N,out]ᵀ · x[N,in]   ⇔  dWᵀ[in,out] = xᵀ · dy  → opA=N, opB=T
 * </pre>
 * {@code C = alpha·op(A)·op(B) + beta·C} with op(A) m×k, op(B) k×n, C m×n, all column-major.
 *
 * @param transposeA whether A is used transposed ({@code CUBLAS_OP_T}) or as stored ({@code CUBLAS_OP_N})
 * @param transposeB the same for B
 * @param m          rows of op(A) and C
 * @param n          columns of op(B) and C
 * @param k          the summed dimension
 * @param lda        leading dimension of A as stored (rows of the stored column-major A)
 * @param ldb        leading dimension of B as stored
 * @param ldc        leading dimension of C
 */
public record RowMajorGemm(boolean transposeA, boolean transposeB, int m, int n, int k, int lda, int ldb, int ldc) {

    /**
     * y[N,out] = x[N,in]·Wᵀ. A = W (stored column-major as [in,out], lda=in) transposed gives W[out,in];
     * B = x (stored as [in,N], ldb=in) as is; C = y (stored as [out,N], ldc=out).
     *
     * @param batch the batch size N
     * @param in    the input features
     * @param out   the output features
     * @return the mapping
     */
    public static RowMajorGemm linearForward(int batch, int in, int out) {
        return new RowMajorGemm(true, false, out, batch, in, in, in, out);
    }

    /**
     * dx[N,in] = dy[N,out]·W. A = W (stored as [in,out], lda=in) as is; B = dy (stored as [out,N], ldb=out)
     * as is; C = dx (stored as [in,N], ldc=in); summed over out.
     *
     * @param batch the batch size N
     * @param in    the input features
     * @param out   the output features
     * @return the mapping
     */
    public static RowMajorGemm linearBackwardInput(int batch, int in, int out) {
        return new RowMajorGemm(false, false, in, batch, out, in, out, in);
    }

    /**
     * dW[out,in] = dyᵀ·x. A = x (stored as [in,N], lda=in) as is; B = dy (stored as [out,N], ldb=out)
     * transposed gives [N,out]; C = dW (stored as [in,out], ldc=in); summed over the batch.
     *
     * @param batch the batch size N
     * @param in    the input features
     * @param out   the output features
     * @return the mapping
     */
    public static RowMajorGemm linearBackwardWeight(int batch, int in, int out) {
        return new RowMajorGemm(false, true, in, out, batch, in, out, in);
    }

    /**
     * A plain column-major reference of what cuBLAS computes with these arguments (alpha 1, beta 0),
     * used by tests to prove the mappings above without a GPU.
     *
     * @param a A as stored
     * @param b B as stored
     * @param c C, written
     */
    public void referenceMultiply(float[] a, float[] b, float[] c) {
        for (int col = 0; col < n; col++) {
            for (int row = 0; row < m; row++) {
                double sum = 0;
                for (int i = 0; i < k; i++) {
                    float av = transposeA ? a[row * lda + i] : a[i * lda + row];
                    float bv = transposeB ? b[i * ldb + col] : b[col * ldb + i];
                    sum += (double) av * bv;
                }
                c[col * ldc + row] = (float) sum;
            }
        }
    }
}
