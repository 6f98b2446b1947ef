package dev.isthmus.backend.cuda;

import dev.isthmus.bindings.cublas.Cublas;
import dev.isthmus.bindings.cudnn.Cudnn;
import dev.isthmus.tensor.Tensor;

import java.lang.foreign.MemorySegment;

/** Elementwise ops: activations (ReLU, sigmoid) through cuDNN's activation, addition through cuBLAS, products through cuDNN's OpTensor. */
final class CudaElementwise {
    private final CudaContext cuda;

    CudaElementwise(CudaContext cuda) {
        this.cuda = cuda;
    }

    /** y = f(x) by {@code cudnnActivationForward}. */
    void activation(Activation function, Tensor input, Tensor output) {
        NativeScratch scratch = cuda.scratch();
        MemorySegment desc = cuda.descriptors().tensor(input.shape());
        CudaCheck.cudnn(Cudnn.cudnnActivationForward(cuda.cudnn(), cuda.descriptors().activation(function), scratch.one(), desc, input.segment(),
                scratch.zero(), desc, output.segment()), "cudnnActivationForward(" + function + ")");
    }

    /**
     * dx = f'(x)·dy by {@code cudnnActivationBackward} from the forward output alone: the output stands in for
     * the input x, which {@link Activation} allows (ReLU's derivative is 1 where x > 0, i.e. where y > 0;
     * sigmoid's is y·(1 − y)).
     */
    void activationBackward(Activation function, Tensor output, Tensor gradOutput, Tensor gradInput) {
        NativeScratch scratch = cuda.scratch();
        MemorySegment desc = cuda.descriptors().tensor(output.shape());
        MemorySegment y = output.segment();
        CudaCheck.cudnn(Cudnn.cudnnActivationBackward(cuda.cudnn(), cuda.descriptors().activation(function), scratch.one(), desc, y, desc,
                gradOutput.segment(), desc, y, scratch.zero(), desc, gradInput.segment()), "cudnnActivationBackward(" + function + ")");
    }

    /** a·b as one {@code cudnnOpTensor} MUL over the tensors' common descriptor. */
    void multiply(Tensor a, Tensor b, Tensor product) {
        NativeScratch scratch = cuda.scratch();
        MemorySegment desc = cuda.descriptors().tensor(a.shape());
        CudaCheck.cudnn(Cudnn.cudnnOpTensor(cuda.cudnn(), cuda.descriptors().multiply(), scratch.one(), desc, a.segment(), scratch.one(), desc,
                b.segment(), scratch.zero(), desc, product.segment()), "cudnnOpTensor(MUL)");
    }

    /** a + b as one {@code cublasSgeam} on the tensors viewed as numel×1 column-major matrices. */
    void add(Tensor a, Tensor b, Tensor sum) {
        NativeScratch scratch = cuda.scratch();
        int n = (int) a.numel();
        CudaCheck.cublas(Cublas.cublasSgeam(cuda.cublas(), Cublas.CUBLAS_OP_N(), Cublas.CUBLAS_OP_N(), n, 1,
                scratch.one(), a.segment(), n, scratch.one(), b.segment(), n, sum.segment(), n), "cublasSgeam(add)");
    }
}
