package dev.isthmus.backend;

import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.util.List;

/**
 * What a backend implements for its ops: one {@code compute…} hook per op that does only the
 * arithmetic (the memory hooks are in {@link BackendMemory}). {@link AbstractBackend}, the front every backend extends, calls them after checking
 * the arguments and allocating the result.
 * <p>
 * A hook receives live, validated tensors of this backend and a freshly allocated result of the
 * right shape, which it must fill completely. It is never called for an empty result; when the
 * result is not empty but the sum that forms it has no terms (an empty batch, zero output channels)
 * the front fills the result with zeros through {@link #computeZeros} instead. Hooks are
 * {@code protected} and not final, so a faster backend can extend an existing one and override
 * only the hooks of the ops it speeds up.
 */
public abstract class BackendHooks extends BackendMemory {

    /** For {@link AbstractBackend} only. */
    BackendHooks() {
    }

    /**
     * Convolution forward.
     *
     * @param input  [N, C, H, W]
     * @param weight [K, C, R, S]
     * @param bias   [K], or null
     * @param spec   stride, padding, dilation
     * @param output [N, K, P, Q], to fill
     */
    protected abstract void computeConv2d(Tensor input, Tensor weight, Tensor bias, Conv2dSpec spec, Tensor output);

    /**
     * Convolution gradient with respect to the input.
     *
     * @param gradOutput [N, K, P, Q]
     * @param weight     [K, C, R, S]
     * @param spec       stride, padding, dilation
     * @param gradInput  [N, C, H, W], to fill
     */
    protected abstract void computeConv2dBackwardInput(Tensor gradOutput, Tensor weight, Conv2dSpec spec, Tensor gradInput);

    /**
     * Convolution gradient with respect to the weight.
     *
     * @param input      [N, C, H, W]
     * @param gradOutput [N, K, P, Q]
     * @param spec       stride, padding, dilation
     * @param gradWeight [K, C, R, S], to fill
     */
    protected abstract void computeConv2dBackwardWeight(Tensor input, Tensor gradOutput, Conv2dSpec spec, Tensor gradWeight);

    /**
     * A bias gradient: the output gradient summed over every axis but the channels.
     *
     * @param gradOutput [N, K, P, Q] (convolution) or [N, K] (linear), not empty
     * @param gradBias   [K], to fill
     */
    protected abstract void computeBiasGradient(Tensor gradOutput, Tensor gradBias);

    /**
     * Max pooling forward.
     *
     * @param input  [N, C, H, W]
     * @param spec   window, stride, padding
     * @param output [N, C, P, Q], to fill
     */
    protected abstract void computeMaxPool2d(Tensor input, Pool2dSpec spec, Tensor output);

    /**
     * Max pooling backward: each output gradient goes to its window's first maximum.
     *
     * @param input      the forward input [N, C, H, W]
     * @param output     the forward output [N, C, P, Q]
     * @param gradOutput [N, C, P, Q]
     * @param spec       window, stride, padding
     * @param gradInput  [N, C, H, W], to fill
     */
    protected abstract void computeMaxPool2dBackward(Tensor input, Tensor output, Tensor gradOutput, Pool2dSpec spec, Tensor gradInput);

    /**
     * Average pooling forward (padding counts in the divisor).
     *
     * @param input  [N, C, H, W]
     * @param spec   window, stride, padding
     * @param output [N, C, P, Q], to fill
     */
    protected abstract void computeAvgPool2d(Tensor input, Pool2dSpec spec, Tensor output);

    /**
     * Average pooling backward.
     *
     * @param input      the forward input [N, C, H, W] (for its shape)
     * @param gradOutput [N, C, P, Q]
     * @param spec       window, stride, padding
     * @param gradInput  [N, C, H, W], to fill
     */
    protected abstract void computeAvgPool2dBackward(Tensor input, Tensor gradOutput, Pool2dSpec spec, Tensor gradInput);

    /**
     * ReLU forward.
     *
     * @param input  any shape
     * @param output the same shape, to fill
     */
    protected abstract void computeRelu(Tensor input, Tensor output);

    /**
     * ReLU backward: the output gradient where the forward output was positive, else zero.
     *
     * @param output     the forward output
     * @param gradOutput the same shape
     * @param gradInput  the same shape, to fill
     */
    protected abstract void computeReluBackward(Tensor output, Tensor gradOutput, Tensor gradInput);

    /**
     * Sigmoid forward.
     *
     * @param input  any shape
     * @param output the same shape, to fill
     */
    protected abstract void computeSigmoid(Tensor input, Tensor output);

    /**
     * Sigmoid backward: gradOutput · y · (1 − y) from the forward output y.
     *
     * @param output     the forward output
     * @param gradOutput the same shape
     * @param gradInput  the same shape, to fill
     */
    protected abstract void computeSigmoidBackward(Tensor output, Tensor gradOutput, Tensor gradInput);

    /**
     * {@code input·weightᵀ (+ bias)}; {@code in} may be zero (the result is then the bias or zeros).
     *
     * @param input  [N, in]
     * @param weight [out, in]
     * @param bias   [out], or null
     * @param output [N, out], to fill
     */
    protected abstract void computeLinear(Tensor input, Tensor weight, Tensor bias, Tensor output);

    /**
     * {@code gradOutput·weight}.
     *
     * @param gradOutput [N, out]
     * @param weight     [out, in]
     * @param gradInput  [N, in], to fill
     */
    protected abstract void computeLinearBackwardInput(Tensor gradOutput, Tensor weight, Tensor gradInput);

    /**
     * {@code gradOutputᵀ·input}.
     *
     * @param input      [N, in]
     * @param gradOutput [N, out]
     * @param gradWeight [out, in], to fill
     */
    protected abstract void computeLinearBackwardWeight(Tensor input, Tensor gradOutput, Tensor gradWeight);

    /**
     * Mean softmax cross-entropy and its gradient.
     *
     * @param logits     [N ≥ 1, classes ≥ 1]
     * @param labels     one class index per sample, each in range
     * @param gradLogits [N, classes], to fill with {@code (softmax − onehot) / N}
     * @return the mean loss
     */
    protected abstract float computeSoftmaxCrossEntropy(Tensor logits, int[] labels, Tensor gradLogits);

    /**
     * Places the inputs one after another along the channels.
     *
     * @param inputs [N, C_i, H, W] each
     * @param output [N, ΣC_i, H, W], to fill
     */
    protected abstract void computeConcatChannels(List<Tensor> inputs, Tensor output);

    /**
     * Fills each part with its block of channels, in order.
     *
     * @param input [N, ΣC_i, H, W], not empty
     * @param parts [N, C_i, H, W] each, to fill
     */
    protected abstract void computeSplitChannels(Tensor input, List<Tensor> parts);

    /**
     * Elementwise sum.
     *
     * @param a   any shape
     * @param b   the same shape
     * @param sum the same shape, to fill
     */
    protected abstract void computeAdd(Tensor a, Tensor b, Tensor sum);

    /**
     * The in-place SGD update of {@link Backend#sgdMomentumStep}.
     *
     * @param param          updated in place, not empty
     * @param grad           the same shape
     * @param momentumBuffer the same shape, updated in place
     * @param lr             learning rate
     * @param momentum       momentum factor
     * @param weightDecay    L2 penalty factor
     * @param nesterov       {@code param -= lr·(g + momentum·buf)} instead of {@code lr·buf}
     */
    protected abstract void computeSgdMomentumStep(Tensor param, Tensor grad, Tensor momentumBuffer, float lr, float momentum, float weightDecay,
                                                   boolean nesterov);

    /**
     * The in-place Adam/AdamW update of {@link Backend#adamStep}.
     *
     * @param param    updated in place, not empty
     * @param grad     the same shape
     * @param expAvg   the same shape, updated in place
     * @param expAvgSq the same shape, updated in place
     * @param step     checked hyper-parameters and step number
     */
    protected abstract void computeAdamStep(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, AdamStep step);

    /**
     * Batch normalisation, training mode: the output, the batch statistics, and the running statistics
     * updated in place (unbiased variance).
     *
     * @param input       [N, C, H, W], at least 2 values per channel
     * @param weight      [C]
     * @param bias        [C]
     * @param runningMean [C], updated in place
     * @param runningVar  [C], updated in place
     * @param momentum    in [0, 1]
     * @param eps         positive
     * @param output      [N, C, H, W], to fill
     * @param savedMean   [C], to fill with the batch mean
     * @param savedInvStd [C], to fill with {@code 1/sqrt(biased variance + eps)}
     */
    protected abstract void computeBatchNorm2dTraining(Tensor input, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                                                       double momentum, double eps, Tensor output, Tensor savedMean, Tensor savedInvStd);

    /**
     * Batch normalisation, eval mode, with the running statistics.
     *
     * @param input       [N, C, H, W]
     * @param weight      [C]
     * @param bias        [C]
     * @param runningMean [C]
     * @param runningVar  [C]
     * @param eps         positive
     * @param output      [N, C, H, W], to fill
     */
    protected abstract void computeBatchNorm2dInference(Tensor input, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                                                        double eps, Tensor output);

    /**
     * Batch normalisation backward, from the statistics the training forward saved.
     *
     * @param input       [N, C, H, W], at least 2 values per channel
     * @param gradOutput  [N, C, H, W]
     * @param weight      [C]
     * @param savedMean   [C]
     * @param savedInvStd [C]
     * @param eps         the forward's eps
     * @param gradInput   [N, C, H, W], to fill
     * @param gradWeight  [C], to fill
     * @param gradBias    [C], to fill
     */
    protected abstract void computeBatchNorm2dBackward(Tensor input, Tensor gradOutput, Tensor weight, Tensor savedMean, Tensor savedInvStd,
                                                       double eps, Tensor gradInput, Tensor gradWeight, Tensor gradBias);

    /**
     * Elementwise product.
     *
     * @param a       any shape, not empty
     * @param b       the same shape
     * @param product the same shape, to fill
     */
    protected abstract void computeMultiply(Tensor a, Tensor b, Tensor product);

    /**
     * The sum of the squares of every element.
     *
     * @param tensor not empty
     * @return Σ x²
     */
    protected abstract float computeSumOfSquares(Tensor tensor);

    /**
     * Multiplies every element by {@code factor}, in place.
     *
     * @param tensor not empty
     * @param factor the scale
     */
    protected abstract void computeScaleInPlace(Tensor tensor, float factor);
}
