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
 * inputs are never modified except by the explicitly in-place {@link #sgdMomentumStep}. All tensors
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

    // ---------------------------------------------------------------- optimisation

    /**
     * In place, {@code torch.optim.SGD} with momentum and no dampening:
     * {@code g = grad + weightDecay·param; buf = momentum·buf + g; param -= lr·buf}.
     * {@code momentumBuffer} starts as zeros, which equals PyTorch's first-step {@code buf = g}.
     */
    void sgdMomentumStep(Tensor param, Tensor grad, Tensor momentumBuffer, float lr, float momentum, float weightDecay);

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
