package dev.isthmus.backend.cuda;

import dev.isthmus.bindings.cublas.Cublas;
import dev.isthmus.tensor.Tensor;

import java.lang.foreign.MemorySegment;

/** {@code nn.Linear} as cuBLAS GEMMs on row-major matrices (mapping derived and tested in {@link RowMajorGemm}). */
final class CudaLinear {
    private final CudaContext cuda;
    private final CudaConvolution convolution;

    CudaLinear(CudaContext cuda, CudaConvolution convolution) {
        this.cuda = cuda;
        this.convolution = convolution;
    }

    void forward(Tensor input, Tensor weight, Tensor bias, Tensor output) {
        int batch = input.shape().dim(0), in = input.shape().dim(1), out = weight.shape().dim(0);
        if (in == 0) {
            cuda.zero(output);
        } else {
            sgemm(RowMajorGemm.linearForward(batch, in, out), weight.segment(), input.segment(), output.segment());
        }
        if (bias != null) {
            convolution.addBias(bias, output, "cudnnAddTensor(linear bias)");
        }
    }

    void backwardInput(Tensor gradOutput, Tensor weight, Tensor gradInput) {
        int batch = gradOutput.shape().dim(0), out = weight.shape().dim(0), in = weight.shape().dim(1);
        sgemm(RowMajorGemm.linearBackwardInput(batch, in, out), weight.segment(), gradOutput.segment(), gradInput.segment());
    }

    void backwardWeight(Tensor input, Tensor gradOutput, Tensor gradWeight) {
        int batch = input.shape().dim(0), in = input.shape().dim(1), out = gradOutput.shape().dim(1);
        sgemm(RowMajorGemm.linearBackwardWeight(batch, in, out), input.segment(), gradOutput.segment(), gradWeight.segment());
    }

    /** C = op(A)·op(B) with alpha 1, beta 0. */
    private void sgemm(RowMajorGemm g, MemorySegment a, MemorySegment b, MemorySegment c) {
        NativeScratch scratch = cuda.scratch();
        CudaCheck.cublas(Cublas.cublasSgemm_v2(cuda.cublas(),
                g.transposeA() ? Cublas.CUBLAS_OP_T() : Cublas.CUBLAS_OP_N(),
                g.transposeB() ? Cublas.CUBLAS_OP_T() : Cublas.CUBLAS_OP_N(),
                g.m(), g.n(), g.k(), scratch.one(), a, g.lda(), b, g.ldb(), scratch.zero(), c, g.ldc()), "cublasSgemm_v2");
    }
}
