package dev.isthmus.backend.cuda;

import dev.isthmus.bindings.cudnn.Cudnn;
import dev.isthmus.tensor.Tensor;

import java.lang.foreign.MemorySegment;

/**
 * Batch normalisation through cuDNN's batch-normalisation API in spatial mode (one mean and variance
 * per channel over N, H and W, as {@code nn.BatchNorm2d}). The training forward updates the running
 * statistics in place (cuDNN's exponential average with factor = PyTorch's momentum, the variance
 * unbiased) and saves the mean and inverse standard deviation, which the backward reuses. The
 * per-channel tensors [C] get cuDNN's 1×C×1×1 descriptor from {@link Descriptors#tensor}.
 */
final class CudaNormalization {
    private final CudaContext cuda;

    CudaNormalization(CudaContext cuda) {
        this.cuda = cuda;
    }

    void training(Tensor input, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, double momentum, double eps,
                  Tensor output, Tensor savedMean, Tensor savedInvStd) {
        NativeScratch scratch = cuda.scratch();
        Descriptors d = cuda.descriptors();
        MemorySegment x = d.tensor(input.shape());
        CudaCheck.cudnn(Cudnn.cudnnBatchNormalizationForwardTraining(cuda.cudnn(), Cudnn.CUDNN_BATCHNORM_SPATIAL(), scratch.one(),
                scratch.zero(), x, input.segment(), x, output.segment(), d.tensor(weight.shape()), weight.segment(), bias.segment(),
                momentum, runningMean.segment(), runningVar.segment(), eps, savedMean.segment(), savedInvStd.segment()),
                "cudnnBatchNormalizationForwardTraining");
    }

    void inference(Tensor input, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, double eps, Tensor output) {
        NativeScratch scratch = cuda.scratch();
        Descriptors d = cuda.descriptors();
        MemorySegment x = d.tensor(input.shape());
        CudaCheck.cudnn(Cudnn.cudnnBatchNormalizationForwardInference(cuda.cudnn(), Cudnn.CUDNN_BATCHNORM_SPATIAL(), scratch.one(),
                scratch.zero(), x, input.segment(), x, output.segment(), d.tensor(weight.shape()), weight.segment(), bias.segment(),
                runningMean.segment(), runningVar.segment(), eps), "cudnnBatchNormalizationForwardInference");
    }

    void backward(Tensor input, Tensor gradOutput, Tensor weight, Tensor savedMean, Tensor savedInvStd, double eps, Tensor gradInput,
                  Tensor gradWeight, Tensor gradBias) {
        NativeScratch scratch = cuda.scratch();
        Descriptors d = cuda.descriptors();
        MemorySegment x = d.tensor(input.shape());
        CudaCheck.cudnn(Cudnn.cudnnBatchNormalizationBackward(cuda.cudnn(), Cudnn.CUDNN_BATCHNORM_SPATIAL(), scratch.one(), scratch.zero(),
                scratch.one(), scratch.zero(), x, input.segment(), x, gradOutput.segment(), x, gradInput.segment(),
                d.tensor(weight.shape()), weight.segment(), gradWeight.segment(), gradBias.segment(), eps, savedMean.segment(),
                savedInvStd.segment()), "cudnnBatchNormalizationBackward");
    }
}
