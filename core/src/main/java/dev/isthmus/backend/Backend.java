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

    /**
     * Short stable name: "reference", "cpu", "cuda".
     *
     * @return the name
     */
    String name();

    // ---------------------------------------------------------------- memory

    /**
     * A new tensor of zeros.
     *
     * @param shape its shape
     * @return the tensor
     */
    Tensor zeros(Shape shape);

    /**
     * A new tensor holding {@code shape.numel()} floats read from host memory (native byte order).
     *
     * @param shape its shape
     * @param host  host memory of at least {@code shape.bytes()} bytes
     * @return the tensor
     */
    Tensor fromHost(Shape shape, MemorySegment host);

    /**
     * Copies a tensor's values into host memory (at least {@code numel} floats).
     *
     * @param source a tensor of this backend
     * @param host   host memory of at least the source's byte size
     */
    void toHost(Tensor source, MemorySegment host);

    /**
     * Copies {@code source} into {@code target}; both of this backend and of equal element count.
     *
     * @param source what is copied
     * @param target where it goes (its shape may differ)
     */
    void copy(Tensor source, Tensor target);

    /**
     * Bytes of tensor memory this backend has allocated and not yet freed.
     *
     * @return the bytes
     */
    long liveBytes();

    /**
     * A new tensor holding {@code values}.
     *
     * @param shape  its shape
     * @param values exactly {@code shape.numel()} values, in NCHW order
     * @return the tensor
     */
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

    /**
     * A tensor's values on the Java heap.
     *
     * @param tensor a tensor of this backend
     * @return its values, in NCHW order
     */
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

    /**
     * {@code nn.Conv2d} forward: input [N,C,H,W], weight [K,C,R,S], bias [K] or null → [N,K,P,Q].
     *
     * @param input  [N, C, H, W]
     * @param weight [K, C, R, S]
     * @param bias   [K], or null for none
     * @param spec   padding, stride, dilation
     * @return the output [N, K, P, Q]
     */
    Tensor conv2d(Tensor input, Tensor weight, Tensor bias, Conv2dSpec spec);

    /**
     * Gradient with respect to the input, of shape {@code inputShape}.
     *
     * @param gradOutput [N, K, P, Q]
     * @param weight     [K, C, R, S]
     * @param inputShape the forward input's shape [N, C, H, W]
     * @param spec       the forward's spec
     * @return ∂L/∂input
     */
    Tensor conv2dBackwardInput(Tensor gradOutput, Tensor weight, Shape inputShape, Conv2dSpec spec);

    /**
     * Gradient with respect to the weight, of shape {@code weightShape}.
     *
     * @param input       the forward input [N, C, H, W]
     * @param gradOutput  [N, K, P, Q]
     * @param weightShape the weight's shape [K, C, R, S]
     * @param spec        the forward's spec
     * @return ∂L/∂weight
     */
    Tensor conv2dBackwardWeight(Tensor input, Tensor gradOutput, Shape weightShape, Conv2dSpec spec);

    /**
     * Gradient with respect to the bias: gradOutput summed over N, H and W → [K].
     *
     * @param gradOutput [N, K, P, Q]
     * @return ∂L/∂bias [K]
     */
    Tensor conv2dBackwardBias(Tensor gradOutput);

    // ---------------------------------------------------------------- pooling

    /**
     * {@code nn.MaxPool2d} forward (padding counts as -infinity).
     *
     * @param input [N, C, H, W]
     * @param spec  window, stride, padding
     * @return the output [N, C, P, Q]
     */
    Tensor maxPool2d(Tensor input, Pool2dSpec spec);

    /**
     * Routes each output gradient to the position of its window's maximum (first one on ties).
     *
     * @param input      the forward input [N, C, H, W]
     * @param output     the forward output [N, C, P, Q]
     * @param gradOutput [N, C, P, Q]
     * @param spec       the forward's spec
     * @return ∂L/∂input [N, C, H, W]
     */
    Tensor maxPool2dBackward(Tensor input, Tensor output, Tensor gradOutput, Pool2dSpec spec);

    /**
     * {@code nn.AvgPool2d} forward with {@code count_include_pad=True}.
     *
     * @param input [N, C, H, W]
     * @param spec  window, stride, padding
     * @return the output [N, C, P, Q]
     */
    Tensor avgPool2d(Tensor input, Pool2dSpec spec);

    /**
     * Spreads each output gradient evenly over its window (padding counted, as in the forward).
     *
     * @param input      the forward input [N, C, H, W]
     * @param gradOutput [N, C, P, Q]
     * @param spec       the forward's spec
     * @return ∂L/∂input [N, C, H, W]
     */
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

    /**
     * {@code torch.relu}: max(x, 0) elementwise; NaN stays NaN.
     *
     * @param input any shape
     * @return a new tensor of the input's shape
     */
    Tensor relu(Tensor input);

    /**
     * gradOutput where the forward output was positive, else zero.
     *
     * @param output     the forward output
     * @param gradOutput ∂L/∂output, the same shape
     * @return ∂L/∂input, a new tensor of the same shape
     */
    Tensor reluBackward(Tensor output, Tensor gradOutput);

    /**
     * {@code torch.sigmoid}: 1 / (1 + e^(−x)) elementwise; NaN stays NaN.
     *
     * @param input any shape
     * @return a new tensor of the input's shape, each value in [0, 1]
     */
    Tensor sigmoid(Tensor input);

    /**
     * The gradient of {@link #sigmoid} from its output y ({@code torch.ops.aten.sigmoid_backward}): gradOutput · y · (1 − y).
     *
     * @param output     the forward output y
     * @param gradOutput ∂L/∂y, the same shape
     * @return ∂L/∂x, a new tensor of the same shape
     */
    Tensor sigmoidBackward(Tensor output, Tensor gradOutput);

    // ---------------------------------------------------------------- linear

    /**
     * {@code nn.Linear}: input [N,in], weight [out,in], bias [out] or null → input·weightᵀ + bias [N,out].
     *
     * @param input  [N, in]
     * @param weight [out, in]
     * @param bias   [out], or null for none
     * @return the output [N, out]
     */
    Tensor linear(Tensor input, Tensor weight, Tensor bias);

    /**
     * gradOutput [N,out] · weight [out,in] → [N,in].
     *
     * @param gradOutput [N, out]
     * @param weight     [out, in]
     * @return ∂L/∂input [N, in]
     */
    Tensor linearBackwardInput(Tensor gradOutput, Tensor weight);

    /**
     * gradOutputᵀ [out,N] · input [N,in] → [out,in].
     *
     * @param input      the forward input [N, in]
     * @param gradOutput [N, out]
     * @return ∂L/∂weight [out, in]
     */
    Tensor linearBackwardWeight(Tensor input, Tensor gradOutput);

    /**
     * gradOutput summed over the batch → [out].
     *
     * @param gradOutput [N, out]
     * @return ∂L/∂bias [out]
     */
    Tensor linearBackwardBias(Tensor gradOutput);

    // ---------------------------------------------------------------- loss

    /**
     * {@code nn.CrossEntropyLoss} (mean reduction) on logits [N, classes] and class indices;
     * computed with a max-shifted log-sum-exp so large logits do not overflow.
     *
     * @param logits [N, classes], N and classes at least 1
     * @param labels N class indices, each in 0..classes-1
     * @return the mean loss and its gradient with respect to the logits
     */
    CrossEntropy softmaxCrossEntropy(Tensor logits, int[] labels);

    // ---------------------------------------------------------------- structure

    /**
     * {@code torch.cat(inputs, dim=1)} for NCHW tensors of equal N, H, W.
     *
     * @param inputs at least one tensor [N, Cᵢ, H, W]
     * @return [N, ΣCᵢ, H, W]
     */
    Tensor concatChannels(List<Tensor> inputs);

    /**
     * Backward of {@link #concatChannels}: splits [N, ΣC, H, W] into parts of the given channel counts.
     *
     * @param input    [N, ΣC, H, W]
     * @param channels each part's channel count, adding up to the input's
     * @return the parts [N, Cᵢ, H, W], in order
     */
    List<Tensor> splitChannels(Tensor input, int[] channels);

    /**
     * Elementwise a + b of equal shapes.
     *
     * @param a any shape
     * @param b the same shape
     * @return a new tensor of that shape
     */
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
     *
     * @param param          updated in place
     * @param grad           the same shape
     * @param momentumBuffer the same shape, updated in place
     * @param lr             learning rate
     * @param momentum       momentum factor
     * @param weightDecay    L2 penalty factor
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

    /**
     * The one wording every backend uses when an op is given a closed tensor.
     *
     * @param op       the op that was called
     * @param argument the argument's name
     * @param tensor   the closed tensor
     * @return the message
     */
    static String closedTensorMessage(String op, String argument, Tensor tensor) {
        return op + ": " + argument + " " + tensor.shape() + " is closed (its memory was freed); pass a live tensor";
    }
}
