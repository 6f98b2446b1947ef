package dev.isthmus.backend.cuda;

import dev.isthmus.bindings.cublas.Cublas;
import dev.isthmus.tensor.Tensor;

/** Optimizer updates as cuBLAS level-1 calls queued on the stream. */
final class CudaOptimizer {
    private final CudaContext cuda;

    CudaOptimizer(CudaContext cuda) {
        this.cuda = cuda;
    }

    /** {@code buf = momentum·buf + grad (+ weightDecay·param); param −= lr·buf} as three or four Sscal/Saxpy calls. */
    void sgdMomentumStep(Tensor param, Tensor grad, Tensor momentumBuffer, float lr, float momentum, float weightDecay) {
        NativeScratch scratch = cuda.scratch();
        int n = (int) param.numel();
        var p = param.segment();
        var buf = momentumBuffer.segment();
        CudaCheck.cublas(Cublas.cublasSscal_v2(cuda.cublas(), n, scratch.alpha(momentum), buf, 1), "cublasSscal_v2(momentum)");
        CudaCheck.cublas(Cublas.cublasSaxpy_v2(cuda.cublas(), n, scratch.one(), grad.segment(), 1, buf, 1), "cublasSaxpy_v2(gradient)");
        if (weightDecay != 0f) {
            CudaCheck.cublas(Cublas.cublasSaxpy_v2(cuda.cublas(), n, scratch.alpha(weightDecay), p, 1, buf, 1), "cublasSaxpy_v2(weight decay)");
        }
        CudaCheck.cublas(Cublas.cublasSaxpy_v2(cuda.cublas(), n, scratch.alpha(-lr), buf, 1, p, 1), "cublasSaxpy_v2(update)");
    }
}
