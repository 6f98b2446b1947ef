package dev.isthmus.backend;

import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * The engine contract: memory and the operations a CNN trainer needs, each forward and backward.
 * <p>
 * Tensors are float32, NCHW, dense. Every op returns new tensors that the caller owns and must close;
 * inputs are never modified except by the explicitly in-place {@link #sgdMomentumStep}, {@link #adamStep} and the running
 * statistics of {@link #batchNorm2dTraining}. All tensors
 * given to an op must belong to this backend. Shape or argument errors throw
 * {@link IllegalArgumentException} naming the op, the argument and the shapes; a closed tensor (its memory
 * freed) or a closed backend throws {@link IllegalStateException}, as a closed {@code Arena} does, on every
 * backend alike, so callers can tell "wrong call" from "used too late".
 * <p>
 * Implementations: {@code ReferenceBackend} (pure Java, the oracle) and {@code CudaBackend}
 * (cuDNN + cuBLAS), both built on {@link AbstractBackend}, which holds every op's checks, shapes and
 * messages once; a backend supplies only the arithmetic. A backend is closed when its owner is done
 * (see {@link #close()}).
 */
public interface Backend extends AutoCloseable {

    /** Short stable name: "reference", "cuda". */
    String name();

    // ---------------------------------------------------------------- memory

    /** A new tensor of zeros. */
    Tensor zeros(Shape shape);

    /** A new tensor holding {@code shape.numel()} floats read from host memory (native byte order). */
    Tensor fromHost(Shape shape, MemorySegment host);

    /** Copies a tensor's values into host memory (at least {@code numel} floats). */
    void toHost(Tensor source, MemorySegment host);

    /** Copies {@code source} into {@code target}; both of this backend and of equal element count. */
    void copy(Tensor source, Tensor target);

    /** Bytes of tensor memory this backend has allocated and not yet freed. */
    long liveBytes();

    default Tensor fromArray(Shape shape, float... values) {
        if (values.length != shape.numel()) {
            throw new IllegalArgumentException("fromArray: " + values.length + " values do not fill shape " + shape);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(ValueLayout.JAVA_FLOAT, values.length);
            MemorySegment.copy(values, 0, host, ValueLayout.JAVA_FLOAT, 0, values.length);
            return fromHost(shape, host);
        }
    }

    default float[] toArray(Tensor tensor) {
        int n = Math.toIntExact(tensor.numel());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(ValueLayout.JAVA_FLOAT, Math.max(1, n));
            toHost(tensor, host);
            float[] values = new float[n];
            MemorySegment.copy(host, ValueLayout.JAVA_FLOAT, 0, values, 0, n);
            return values;
        }
    }

    // ---------------------------------------------------------------- convolution

    /** {@code nn.Conv2d} forward: input [N,C,H,W], weight [K,C,R,S], bias [K] or null → [N,K,P,Q]. */
    Tensor conv2d(Tensor input, Tensor weight, Tensor bias, Conv2dSpec spec);

    /** Gradient with respect to the input, of shape {@code inputShape}. */
    Tensor conv2dBackwardInput(Tensor gradOutput, Tensor weight, Shape inputShape, Conv2dSpec spec);

    /** Gradient with respect to the weight, of shape {@code weightShape}. */
    Tensor conv2dBackwardWeight(Tensor input, Tensor gradOutput, Shape weightShape, Conv2dSpec spec);

    /** Gradient with respect to the bias: gradOutput summed over N, H and W → [K]. */
    Tensor conv2dBackwardBias(Tensor gradOutput);

    // ---------------------------------------------------------------- pooling

    /** {@code nn.MaxPool2d} forward (padding counts as -infinity). */
    Tensor maxPool2d(Tensor input, Pool2dSpec spec);

    /** Routes each output gradient to the position of its window's maximum (first one on ties). */
    Tensor maxPool2dBackward(Tensor input, Tensor output, Tensor gradOutput, Pool2dSpec spec);

    /** {@code nn.AvgPool2d} forward with {@code count_include_pad=True}. */
    Tensor avgPool2d(Tensor input, Pool2dSpec spec);

    Tensor avgPool2dBackward(Tensor input, Tensor gradOutput, Pool2dSpec spec);

    /**
     * {@code nn.AdaptiveAvgPool2d(1)}: the mean of each channel's H×W values, [N, C, H, W] → [N, C, 1, 1].
     *
     * @param input [N, C, H, W] with H and W at least 1
     * @return [N, C, 1, 1]
     */
    Tensor globalAvgPool2d(Tensor input);

    /**
     * Backward of {@link #globalAvgPool2d}: each output gradient spread evenly over its channel's H×W inputs.
     *
     * @param input      the forward input [N, C, H, W] (for its shape)
     * @param gradOutput [N, C, 1, 1]
     * @return [N, C, H, W]
     */
    Tensor globalAvgPool2dBackward(Tensor input, Tensor gradOutput);

    // ---------------------------------------------------------------- normalisation

    /**
     * {@code nn.BatchNorm2d} in training mode: normalises each channel with its batch mean and biased
     * variance over N, H and W, {@code y = (x − mean)/sqrt(var + eps)·weight + bias}, and updates the
     * running statistics in place like PyTorch: {@code running = (1 − momentum)·running + momentum·batch},
     * with the unbiased variance for {@code runningVar}.
     *
     * @param input       [N, C, H, W] with at least 2 values per channel
     * @param weight      [C], the scale (ones for {@code affine=False})
     * @param bias        [C], the shift (zeros for {@code affine=False})
     * @param runningMean [C], updated in place
     * @param runningVar  [C], updated in place
     * @param momentum    in [0, 1]; PyTorch's default is 0.1
     * @param eps         positive, added to the variance; PyTorch's default is 1e-5
     * @return the output and the saved mean and inverse standard deviation for {@link #batchNorm2dBackward}
     */
    BatchNormOutput batchNorm2dTraining(Tensor input, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, double momentum,
                                        double eps);

    /**
     * {@code nn.BatchNorm2d} in eval mode: {@code y = (x − runningMean)/sqrt(runningVar + eps)·weight + bias}.
     *
     * @param input       [N, C, H, W]
     * @param weight      [C]
     * @param bias        [C]
     * @param runningMean [C]
     * @param runningVar  [C]
     * @param eps         positive
     * @return [N, C, H, W]
     */
    Tensor batchNorm2dInference(Tensor input, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, double eps);

    /**
     * Backward of {@link #batchNorm2dTraining} (the batch statistics depend on the input).
     *
     * @param input       the forward input [N, C, H, W]
     * @param gradOutput  [N, C, H, W]
     * @param weight      [C], the forward's scale
     * @param savedMean   [C], from the forward's {@link BatchNormOutput}
     * @param savedInvStd [C], from the forward's {@link BatchNormOutput}
     * @param eps         the forward's eps
     * @return the gradients of the input, the scale and the shift
     */
    BatchNormGradients batchNorm2dBackward(Tensor input, Tensor gradOutput, Tensor weight, Tensor savedMean, Tensor savedInvStd, double eps);

    // ---------------------------------------------------------------- activation

    Tensor relu(Tensor input);

    /** gradOutput where the forward output was positive, else zero. */
    Tensor reluBackward(Tensor output, Tensor gradOutput);

    // ---------------------------------------------------------------- linear

    /** {@code nn.Linear}: input [N,in], weight [out,in], bias [out] or null → input·weightᵀ + bias [N,out]. */
    Tensor linear(Tensor input, Tensor weight, Tensor bias);

    /** gradOutput [N,out] · weight [out,in] → [N,in]. */
    Tensor linearBackwardInput(Tensor gradOutput, Tensor weight);

    /** gradOutputᵀ [out,N] · input [N,in] → [out,in]. */
    Tensor linearBackwardWeight(Tensor input, Tensor gradOutput);

    /** gradOutput summed over the batch → [out]. */
    Tensor linearBackwardBias(Tensor gradOutput);

    // ---------------------------------------------------------------- loss

    /**
     * {@code nn.CrossEntropyLoss} (mean reduction) on logits [N, classes] and class indices;
     * computed with a max-shifted log-sum-exp so large logits do not overflow.
     */
    CrossEntropy softmaxCrossEntropy(Tensor logits, int[] labels);

    // ---------------------------------------------------------------- structure

    /** {@code torch.cat(inputs, dim=1)} for NCHW tensors of equal N, H, W. */
    Tensor concatChannels(List<Tensor> inputs);

    /** Backward of {@link #concatChannels}: splits [N, ΣC, H, W] into parts of the given channel counts. */
    List<Tensor> splitChannels(Tensor input, int[] channels);

    /** Elementwise a + b of equal shapes. */
    Tensor add(Tensor a, Tensor b);

    /**
     * Elementwise a·b of equal shapes: dropout applies its scaled mask with it, forward and backward.
     *
     * @param a any shape
     * @param b the same shape
     * @return a new tensor of that shape
     */
    Tensor multiply(Tensor a, Tensor b);

    // ---------------------------------------------------------------- optimisation

    /**
     * The sum of the squares of every element: a gradient's share of the global norm that
     * {@code torch.nn.utils.clip_grad_norm_} clips by.
     *
     * @param tensor any shape
     * @return Σ x², 0 for an empty tensor
     */
    float sumOfSquares(Tensor tensor);

    /**
     * In place, {@code tensor *= factor} (a gradient scaled down by clipping).
     *
     * @param tensor any shape, updated in place
     * @param factor the scale
     */
    void scaleInPlace(Tensor tensor, float factor);

    /**
     * In place, {@code torch.optim.SGD} with momentum and no dampening:
     * {@code g = grad + weightDecay·param; buf = momentum·buf + g; param -= lr·buf}.
     * {@code momentumBuffer} starts as zeros, which equals PyTorch's first-step {@code buf = g}.
     */
    default void sgdMomentumStep(Tensor param, Tensor grad, Tensor momentumBuffer, float lr, float momentum, float weightDecay) {
        sgdMomentumStep(param, grad, momentumBuffer, lr, momentum, weightDecay, false);
    }

    /**
     * {@link #sgdMomentumStep(Tensor, Tensor, Tensor, float, float, float)}, optionally with PyTorch's
     * Nesterov momentum ({@code nesterov=True}): {@code param -= lr·(g + momentum·buf)} after the buffer update.
     *
     * @param param          updated in place
     * @param grad           the same shape
     * @param momentumBuffer the same shape, updated in place
     * @param lr             learning rate
     * @param momentum       momentum factor
     * @param weightDecay    L2 penalty factor
     * @param nesterov       whether the step looks ahead along the momentum
     */
    void sgdMomentumStep(Tensor param, Tensor grad, Tensor momentumBuffer, float lr, float momentum, float weightDecay, boolean nesterov);

    /**
     * In place, one step of {@code torch.optim.Adam} ({@code step.decoupledWeightDecay()} false) or
     * {@code torch.optim.AdamW} (true), with PyTorch 1.13's order of operations (amsgrad and maximize off):
     * <pre>
     * Adam:  g = grad + wd·param          AdamW: param *= 1 − lr·wd;  g = grad
     * expAvg   = β1·expAvg + (1 − β1)·g
     * expAvgSq = β2·expAvgSq + ((1 − β2)·g)·g
     * denom    = sqrt(expAvgSq) / sqrt(1 − β2^t) + eps
     * param   += (−lr / (1 − β1^t))·expAvg / denom
     * </pre>
     * {@code expAvg} and {@code expAvgSq} start as zeros, as PyTorch's state does.
     *
     * @param param    updated in place
     * @param grad     the same shape
     * @param expAvg   the first moment, the same shape, updated in place
     * @param expAvgSq the second moment, the same shape, updated in place
     * @param step     hyper-parameters and the step number t (from 1), checked here
     */
    void adamStep(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, AdamStep step);

    /**
     * Ends the backend, the same way on every backend: frees everything it still holds, tensors that
     * are still open included (their memory is gone; using one throws {@link IllegalStateException}),
     * and makes every later op and memory method throw {@link IllegalStateException}. Closing again,
     * or closing a tensor of a closed backend, does nothing.
     */
    @Override
    void close();

    /** The one wording every backend uses when an op is given a closed tensor. */
    static String closedTensorMessage(String op, String argument, Tensor tensor) {
        return op + ": " + argument + " " + tensor.shape() + " is closed (its memory was freed); pass a live tensor";
    }
}
