package dev.isthmus.backend;

import dev.isthmus.tensor.Tensor;

/**
 * Result of {@link Backend#batchNorm2dBackward}: the gradients with respect to the input, the scale
 * and the shift. The caller owns all three tensors.
 *
 * @param gradInput  [N, C, H, W]
 * @param gradWeight [C], the scale's gradient
 * @param gradBias   [C], the shift's gradient (the output gradient summed over N, H and W)
 */
public record BatchNormGradients(Tensor gradInput, Tensor gradWeight, Tensor gradBias) implements AutoCloseable {
    @Override
    public void close() {
        gradInput.close();
        gradWeight.close();
        gradBias.close();
    }
}
