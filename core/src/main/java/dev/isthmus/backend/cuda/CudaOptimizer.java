package dev.isthmus.backend.cuda;

import dev.isthmus.backend.AdamStep;
import dev.isthmus.bindings.cublas.Cublas;
import dev.isthmus.bindings.cudnn.Cudnn;
import dev.isthmus.tensor.Memory;
import dev.isthmus.tensor.Tensor;

import java.lang.foreign.MemorySegment;

/**
 * Optimizer updates as cuBLAS level-1 calls queued on the stream; Adam adds cuDNN's OpTensor (ADD, MUL, SQRT),
 * {@code cudnnSetTensor} and {@code cublasStbsv} with bandwidth 0 as the elementwise division (docs/architecture.md).
 */
final class CudaOptimizer {
    private final CudaContext cuda;

    CudaOptimizer(CudaContext cuda) {
        this.cuda = cuda;
    }

    /** Σ x² as {@code cublasSdot(x, x)}, the result in host memory (the call returns once it is there). */
    float sumOfSquares(Tensor tensor) {
        NativeScratch scratch = cuda.scratch();
        var x = tensor.segment();
        CudaCheck.cublas(Cublas.cublasSdot_v2(cuda.cublas(), (int) tensor.numel(), x, 1, x, 1, scratch.floatOut()), "cublasSdot_v2(sum of squares)");
        return scratch.floatValue();
    }

    /** x *= factor as one {@code cublasSscal}. */
    void scale(Tensor tensor, float factor) {
        NativeScratch scratch = cuda.scratch();
        CudaCheck.cublas(Cublas.cublasSscal_v2(cuda.cublas(), (int) tensor.numel(), scratch.alpha(factor), tensor.segment(), 1),
                "cublasSscal_v2(scale)");
    }

    /**
     * {@code buf = momentum·buf + grad (+ weightDecay·param); param −= lr·buf} as three or four Sscal/Saxpy calls.
     * Nesterov's {@code param −= lr·(grad + weightDecay·param + momentum·buf)} takes the old param's decay as one
     * Sscal by {@code 1 − lr·weightDecay}, then two Saxpy.
     */
    void sgdMomentumStep(Tensor param, Tensor grad, Tensor momentumBuffer, float lr, float momentum, float weightDecay, boolean nesterov) {
        NativeScratch scratch = cuda.scratch();
        int n = (int) param.numel();
        var p = param.segment();
        var buf = momentumBuffer.segment();
        CudaCheck.cublas(Cublas.cublasSscal_v2(cuda.cublas(), n, scratch.alpha(momentum), buf, 1), "cublasSscal_v2(momentum)");
        CudaCheck.cublas(Cublas.cublasSaxpy_v2(cuda.cublas(), n, scratch.one(), grad.segment(), 1, buf, 1), "cublasSaxpy_v2(gradient)");
        if (weightDecay != 0f) {
            CudaCheck.cublas(Cublas.cublasSaxpy_v2(cuda.cublas(), n, scratch.alpha(weightDecay), p, 1, buf, 1), "cublasSaxpy_v2(weight decay)");
        }
        if (!nesterov) {
            CudaCheck.cublas(Cublas.cublasSaxpy_v2(cuda.cublas(), n, scratch.alpha(-lr), buf, 1, p, 1), "cublasSaxpy_v2(update)");
            return;
        }
        if (weightDecay != 0f) {
            CudaCheck.cublas(Cublas.cublasSscal_v2(cuda.cublas(), n, scratch.alpha(1 - lr * weightDecay), p, 1), "cublasSscal_v2(nesterov decay)");
        }
        CudaCheck.cublas(Cublas.cublasSaxpy_v2(cuda.cublas(), n, scratch.alpha(-lr), grad.segment(), 1, p, 1), "cublasSaxpy_v2(nesterov gradient)");
        CudaCheck.cublas(Cublas.cublasSaxpy_v2(cuda.cublas(), n, scratch.alpha(-lr * momentum), buf, 1, p, 1), "cublasSaxpy_v2(nesterov momentum)");
    }

    /**
     * PyTorch's Adam/AdamW step in library calls, in PyTorch's order ({@link dev.isthmus.backend.Backend#adamStep}):
     * AdamW's decay is an {@code Sscal}; Adam's {@code g = grad + wd·param} an OpTensor ADD into a scratch buffer;
     * the moments {@code Sscal} + {@code Saxpy} and {@code Sscal} + OpTensor MUL with β = 1 ({@code v += ((1 − β2)·g)·g});
     * the denominator {@code cudnnSetTensor(eps)} then OpTensor SQRT with α1 = 1/(1 − β2^t) and β = 1, i.e.
     * {@code sqrt(v / bc2) + eps}; the update copies m, scales it by −lr/bc1, divides it by the denominator with
     * {@code cublasStbsv} (a diagonal band matrix, k = 0, lda = 1: x[i] /= denom[i]) and adds it to the parameter.
     * Two scratch buffers of the parameter's size come from the pool and go back to it.
     */
    void adamStep(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, AdamStep step) {
        NativeScratch scratch = cuda.scratch();
        var blas = cuda.cublas();
        int n = (int) param.numel();
        MemorySegment p = param.segment(), m = expAvg.segment(), v = expAvgSq.segment();
        MemorySegment desc = cuda.descriptors().tensor(param.shape());
        long bytes = param.shape().bytes();
        try (Memory work = cuda.allocator().allocate(bytes); Memory denominator = cuda.allocator().allocate(bytes)) {
            MemorySegment g = grad.segment(), t = work.segment(), d = denominator.segment();
            if (step.decoupledWeightDecay()) {
                CudaCheck.cublas(Cublas.cublasSscal_v2(blas, n, scratch.alpha(step.parameterDecay()), p, 1), "cublasSscal_v2(AdamW decay)");
            } else if (step.weightDecay() != 0) {
                CudaCheck.cudnn(Cudnn.cudnnOpTensor(cuda.cudnn(), cuda.descriptors().add(), scratch.one(), desc, g,
                        scratch.alpha((float) step.weightDecay()), desc, p, scratch.zero(), desc, t), "cudnnOpTensor(ADD, Adam weight decay)");
                g = t;
            }
            CudaCheck.cublas(Cublas.cublasSscal_v2(blas, n, scratch.alpha((float) step.beta1()), m, 1), "cublasSscal_v2(beta1)");
            CudaCheck.cublas(Cublas.cublasSaxpy_v2(blas, n, scratch.alpha(step.oneMinusBeta1()), g, 1, m, 1), "cublasSaxpy_v2(first moment)");
            CudaCheck.cublas(Cublas.cublasSscal_v2(blas, n, scratch.alpha((float) step.beta2()), v, 1), "cublasSscal_v2(beta2)");
            CudaCheck.cudnn(Cudnn.cudnnOpTensor(cuda.cudnn(), cuda.descriptors().multiply(), scratch.alpha(step.oneMinusBeta2()), desc, g,
                    scratch.one(), desc, g, scratch.one(), desc, v), "cudnnOpTensor(MUL, second moment)");
            CudaCheck.cudnn(Cudnn.cudnnSetTensor(cuda.cudnn(), desc, d, scratch.alpha((float) step.eps())), "cudnnSetTensor(eps)");
            float bias2 = step.biasCorrection2Sqrt();
            CudaCheck.cudnn(Cudnn.cudnnOpTensor(cuda.cudnn(), cuda.descriptors().sqrt(), scratch.alpha(1f / (bias2 * bias2)), desc, v,
                    scratch.one(), desc, v, scratch.one(), desc, d), "cudnnOpTensor(SQRT, denominator)");
            CudaCheck.cublas(Cublas.cublasScopy_v2(blas, n, m, 1, t, 1), "cublasScopy_v2(first moment)");
            CudaCheck.cublas(Cublas.cublasSscal_v2(blas, n, scratch.alpha(step.negativeStepSize()), t, 1), "cublasSscal_v2(step size)");
            CudaCheck.cublas(Cublas.cublasStbsv_v2(blas, Cublas.CUBLAS_FILL_MODE_LOWER(), Cublas.CUBLAS_OP_N(), Cublas.CUBLAS_DIAG_NON_UNIT(),
                    n, 0, d, 1, t, 1), "cublasStbsv_v2(divide by the denominator)");
            CudaCheck.cublas(Cublas.cublasSaxpy_v2(blas, n, scratch.one(), t, 1, p, 1), "cublasSaxpy_v2(update)");
        }
    }
}
