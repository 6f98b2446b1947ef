package dev.isthmus.nn;

import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.util.Map;

/**
 * A differentiable building block. {@link #forward} keeps what {@link #backward} needs (only
 * references: the tensors belong to the step's {@link StepScope}); {@code backward} stores parameter
 * gradients in the layer's {@link Parameter}s and returns the gradient with respect to the input.
 * One forward/backward pair at a time per layer instance.
 */
public interface Layer {

    /**
     * The forward pass; keeps what backward needs.
     *
     * @param input the input, owned by the step
     * @param scope the step, which owns the tensors made
     * @return the output
     */
    Tensor forward(Tensor input, StepScope scope);

    /**
     * The backward pass: stores the parameters' gradients and returns the input's.
     *
     * @param gradOutput ∂L/∂output
     * @param scope      the step, which owns the tensors made
     * @return ∂L/∂input
     */
    Tensor backward(Tensor gradOutput, StepScope scope);

    /**
     * Like {@link #backward(Tensor, StepScope)}, but when {@code inputGradientNeeded} is false (the
     * input is the data, as for a network's first layer) the layer may skip that work and return null.
     * Parameter gradients are always computed.
     *
     * @param gradOutput          ∂L/∂output
     * @param scope               the step, which owns the tensors made
     * @param inputGradientNeeded false when the input is the data
     * @return ∂L/∂input, or null when not needed
     */
    default Tensor backward(Tensor gradOutput, StepScope scope, boolean inputGradientNeeded) {
        return backward(gradOutput, scope);
    }

    /**
     * Output shape for an input shape; throws IllegalArgumentException naming the layer when they don't fit.
     *
     * @param input the input's shape
     * @return the output's shape
     */
    Shape outputShape(Shape input);

    /**
     * This layer's own parameters by local name ("weight", "bias"), in PyTorch's order.
     *
     * @return the parameters, empty for a layer without any
     */
    default Map<String, Parameter> parameters() {
        return Map.of();
    }

    /**
     * This layer's own buffers (non-trainable state such as running statistics) by local name, in
     * PyTorch's order; saved in the state dict after the layer's parameters.
     *
     * @return the buffers, empty for a layer without state
     */
    default Map<String, Buffer> buffers() {
        return Map.of();
    }

    /**
     * Sub-layers by local name, in PyTorch's registration order.
     *
     * @return the children, empty for a leaf layer
     */
    default Map<String, Layer> children() {
        return Map.of();
    }

    /**
     * Switches training mode ({@code module.train()}) or evaluation mode ({@code module.eval()}) for this
     * layer and every sub-layer. Layers that behave differently (Dropout, BatchNorm) override it, keep
     * the flag, and call {@code Layer.super.setTraining} to reach their children.
     *
     * @param training true for training, false for evaluation
     */
    default void setTraining(boolean training) {
        children().values().forEach(child -> child.setTraining(training));
    }
}
