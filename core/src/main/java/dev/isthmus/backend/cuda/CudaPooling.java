package dev.isthmus.backend.cuda;

import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.backend.cuda.Descriptors.PoolingKind;
import dev.isthmus.bindings.cudnn.Cudnn;
import dev.isthmus.tensor.Tensor;

import java.lang.foreign.MemorySegment;

/** Max and average pooling through cuDNN, forward and backward. */
final class CudaPooling {
    private final CudaContext cuda;

    CudaPooling(CudaContext cuda) {
        this.cuda = cuda;
    }

    /** Max pooling; the deterministic cuDNN mode when the options ask for bit-identical runs. */
    PoolingKind max() {
        return cuda.options().deterministic() ? PoolingKind.MAX_DETERMINISTIC : PoolingKind.MAX;
    }

    void forward(Tensor input, Pool2dSpec spec, PoolingKind kind, Tensor output) {
        NativeScratch scratch = cuda.scratch();
        Descriptors d = cuda.descriptors();
        CudaCheck.cudnn(Cudnn.cudnnPoolingForward(cuda.cudnn(), d.pooling(spec, kind), scratch.one(), d.tensor(input.shape()), input.segment(),
                scratch.zero(), d.tensor(output.shape()), output.segment()), "cudnnPoolingForward(" + kind + ")");
    }

    /**
     * Average pooling's gradient does not depend on the forward output; cuDNN still takes a y pointer,
     * and gradOutput has y's shape, so callers pass it for {@code output} then.
     */
    void backward(Tensor input, Tensor output, Tensor gradOutput, Pool2dSpec spec, PoolingKind kind, Tensor gradInput) {
        NativeScratch scratch = cuda.scratch();
        MemorySegment yDesc = cuda.descriptors().tensor(gradOutput.shape());
        MemorySegment xDesc = cuda.descriptors().tensor(input.shape());
        CudaCheck.cudnn(Cudnn.cudnnPoolingBackward(cuda.cudnn(), cuda.descriptors().pooling(spec, kind), scratch.one(), yDesc, output.segment(),
                yDesc, gradOutput.segment(), xDesc, input.segment(), scratch.zero(), xDesc, gradInput.segment()), "cudnnPoolingBackward(" + kind + ")");
    }
}
