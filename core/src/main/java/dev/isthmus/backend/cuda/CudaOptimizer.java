package dev.isthmus.backend.cuda;

import dev.isthmus.bindings.cublas.Cublas;
import dev.isthmus.tensor.Tensor;

/** Optimizer updates as cuBLAS level-1 calls queued on the stream. */
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
}
