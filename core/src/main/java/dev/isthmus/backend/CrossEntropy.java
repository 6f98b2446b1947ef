package dev.isthmus.backend;

import dev.isthmus.tensor.Tensor;

/**
 * Result of softmax cross-entropy: the loss averaged over the batch and its gradient with respect
 * to the logits (already divided by the batch size). The caller owns {@code gradLogits}.
 *
 * @param loss       the mean loss
 * @param gradLogits ∂loss/∂logits [N, classes]
 */
public record CrossEntropy(float loss, Tensor gradLogits) implements AutoCloseable {
    @Override
    public void close() {
        gradLogits.close();
    }
}
