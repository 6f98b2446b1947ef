package dev.isthmus.backend;

import dev.isthmus.tensor.Tensor;

/**
 * Result of {@link Backend#batchNorm2dTraining}: the normalised output and the batch statistics its
 * backward pass needs. The caller owns all three tensors.
 *
 * @param output      [N, C, H, W], the normalised, scaled and shifted input
 * @param savedMean   [C], the batch mean of each channel
 * @param savedInvStd [C], {@code 1/sqrt(var + eps)} with the biased batch variance of each channel
 */
public record BatchNormOutput(Tensor output, Tensor savedMean, Tensor savedInvStd) implements AutoCloseable {
    @Override
    public void close() {
        output.close();
        savedMean.close();
        savedInvStd.close();
    }
}
