package dev.isthmus.backend.cuda;

import dev.isthmus.bindings.cudnn.Cudnn;
import dev.isthmus.tensor.Memory;
import dev.isthmus.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Softmax cross-entropy. Log-probabilities with cuDNN's log-softmax (max-shifted, so large logits do
 * not overflow); the gradient {@code (softmax − onehot)/N} is formed on the device from cuDNN's softmax
 * scaled by 1/N plus the uploaded one-hot labels scaled by −1/N. The loss needs the host anyway: the
 * N×C log-probabilities are downloaded (one synchronisation) and the labelled ones summed in double.
 */
final class CudaLoss {
    private final CudaContext cuda;
    /** Host arrays reused by the cross-entropy (one-hot labels up, log-probabilities down). */
    private float[] oneHotHost = new float[0];
    private float[] logProbHost = new float[0];

    CudaLoss(CudaContext cuda) {
        this.cuda = cuda;
    }

    float softmaxCrossEntropy(Tensor logits, int[] labels, Tensor grad) {
        NativeScratch scratch = cuda.scratch();
        int batch = logits.shape().dim(0);
        int classes = logits.shape().dim(1);
        int count = batch * classes;
        long bytes = logits.shape().bytes();
        MemorySegment x = logits.segment();
        try (Memory logProbs = cuda.allocator().allocate(bytes); Memory oneHot = cuda.allocator().allocate(bytes)) {
            MemorySegment desc = cuda.descriptors().tensor(batch, classes, 1, 1);
            CudaCheck.cudnn(Cudnn.cudnnSoftmaxForward(cuda.cudnn(), Cudnn.CUDNN_SOFTMAX_LOG(), Cudnn.CUDNN_SOFTMAX_MODE_INSTANCE(),
                    scratch.one(), desc, x, scratch.zero(), desc, logProbs.segment()), "cudnnSoftmaxForward(LOG)");
            CudaCheck.cudnn(Cudnn.cudnnSoftmaxForward(cuda.cudnn(), Cudnn.CUDNN_SOFTMAX_ACCURATE(), Cudnn.CUDNN_SOFTMAX_MODE_INSTANCE(),
                    scratch.alpha(1f / batch), desc, x, scratch.zero(), desc, grad.segment()), "cudnnSoftmaxForward(ACCURATE)");
            if (oneHotHost.length < count) {
                oneHotHost = new float[count];
            } else {
                Arrays.fill(oneHotHost, 0, count, 0f);
            }
            for (int i = 0; i < batch; i++) {
                oneHotHost[i * classes + labels[i]] = 1f;
            }
            cuda.staging().upload(MemorySegment.ofArray(oneHotHost), oneHot.segment(), bytes);
            CudaCheck.cudnn(Cudnn.cudnnAddTensor(cuda.cudnn(), scratch.alpha(-1f / batch), desc, oneHot.segment(), scratch.one(), desc, grad.segment()),
                    "cudnnAddTensor(cross-entropy one-hot)");
            if (logProbHost.length < count) {
                logProbHost = new float[count];
            }
            cuda.staging().download(logProbs.segment(), MemorySegment.ofArray(logProbHost), bytes);
            double sum = 0;
            for (int i = 0; i < batch; i++) {
                sum -= logProbHost[i * classes + labels[i]];
            }
            return (float) (sum / batch);
        }
    }
}
