package dev.isthmus.backend.cuda;

import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.bindings.cudnn.Cudnn;
import dev.isthmus.tensor.Shape;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * cuDNN descriptors, created once per distinct shape or setting and reused for every later call;
 * all destroyed together when the backend closes. Training repeats the same shapes every step, so
 * after the first step no descriptor is created.
 */
final class Descriptors implements AutoCloseable {

    /** Which pooling a pooling descriptor describes. */
    enum PoolingKind { MAX, MAX_DETERMINISTIC, AVERAGE_INCLUDE_PADDING }

    private record Dims(int n, int c, int h, int w) {
    }

    private record PoolingKey(Pool2dSpec spec, PoolingKind kind) {
    }

    private final NativeScratch scratch;
    private final int convolutionMathType;
    private final Map<Dims, MemorySegment> tensors = new HashMap<>();
    private final Map<Dims, MemorySegment> filters = new HashMap<>();
    private final Map<Conv2dSpec, MemorySegment> convolutions = new HashMap<>();
    private final Map<PoolingKey, MemorySegment> poolings = new HashMap<>();
    private final Map<Activation, MemorySegment> activations = new EnumMap<>(Activation.class);
    private final Map<Integer, MemorySegment> opTensors = new HashMap<>();
    /** Destroy actions in creation order, run in reverse on close. */
    private final List<Runnable> destroyers = new ArrayList<>();

    /**
     * @param convolutionMathType {@code CUDNN_FMA_MATH} (exact float32) or {@code CUDNN_TENSOR_OP_MATH} (TF32 allowed)
     */
    Descriptors(NativeScratch scratch, int convolutionMathType) {
        this.scratch = scratch;
        this.convolutionMathType = convolutionMathType;
    }

    /**
     * A dense NCHW float tensor descriptor; the one mapping of every rank to cuDNN's four dimensions.
     * Rank 4 is itself; rank 1 [K] is [1, K, 1, 1] (the form cuDNN broadcasts a per-channel bias
     * from); rank 0 is [1, 1, 1, 1]; any other rank [d0, …] is [d0, rest, 1, 1], so [N, F] is
     * [N, F, 1, 1]. Elementwise ops see the same packed memory whichever form a shape gets.
     */
    MemorySegment tensor(Shape shape) {
        return switch (shape.rank()) {
            case 4 -> tensor(shape.dim(0), shape.dim(1), shape.dim(2), shape.dim(3));
            case 2 -> tensor(shape.dim(0), shape.dim(1), 1, 1);
            case 1 -> tensor(1, shape.dim(0), 1, 1);
            case 0 -> tensor(1, 1, 1, 1);
            default -> tensor(shape.dim(0), shape.dim(0) == 0 ? 0 : (int) (shape.numel() / shape.dim(0)), 1, 1);
        };
    }

    MemorySegment tensor(int n, int c, int h, int w) {
        Dims key = new Dims(n, c, h, w);
        MemorySegment descriptor = tensors.get(key);
        if (descriptor == null) {
            CudaCheck.cudnn(Cudnn.cudnnCreateTensorDescriptor(scratch.pointer()), "cudnnCreateTensorDescriptor");
            MemorySegment created = scratch.pointerValue();
            destroyers.add(() -> CudaCheck.cudnn(Cudnn.cudnnDestroyTensorDescriptor(created), "cudnnDestroyTensorDescriptor"));
            CudaCheck.cudnn(Cudnn.cudnnSetTensor4dDescriptor(created, Cudnn.CUDNN_TENSOR_NCHW(), Cudnn.CUDNN_DATA_FLOAT(), n, c, h, w),
                    "cudnnSetTensor4dDescriptor(" + n + "x" + c + "x" + h + "x" + w + ")");
            tensors.put(key, created);
            descriptor = created;
        }
        return descriptor;
    }

    /** A filter descriptor for a weight [K, C, R, S]. */
    MemorySegment filter(Shape weight) {
        Dims key = new Dims(weight.dim(0), weight.dim(1), weight.dim(2), weight.dim(3));
        MemorySegment descriptor = filters.get(key);
        if (descriptor == null) {
            CudaCheck.cudnn(Cudnn.cudnnCreateFilterDescriptor(scratch.pointer()), "cudnnCreateFilterDescriptor");
            MemorySegment created = scratch.pointerValue();
            destroyers.add(() -> CudaCheck.cudnn(Cudnn.cudnnDestroyFilterDescriptor(created), "cudnnDestroyFilterDescriptor"));
            CudaCheck.cudnn(Cudnn.cudnnSetFilter4dDescriptor(created, Cudnn.CUDNN_DATA_FLOAT(), Cudnn.CUDNN_TENSOR_NCHW(),
                    key.n(), key.c(), key.h(), key.w()), "cudnnSetFilter4dDescriptor(" + weight + ")");
            filters.put(key, created);
            descriptor = created;
        }
        return descriptor;
    }

    /** PyTorch's convolution is cross-correlation (no kernel flip); float32 accumulation. */
    MemorySegment convolution(Conv2dSpec spec) {
        MemorySegment descriptor = convolutions.get(spec);
        if (descriptor == null) {
            CudaCheck.cudnn(Cudnn.cudnnCreateConvolutionDescriptor(scratch.pointer()), "cudnnCreateConvolutionDescriptor");
            MemorySegment created = scratch.pointerValue();
            destroyers.add(() -> CudaCheck.cudnn(Cudnn.cudnnDestroyConvolutionDescriptor(created), "cudnnDestroyConvolutionDescriptor"));
            CudaCheck.cudnn(Cudnn.cudnnSetConvolution2dDescriptor(created, spec.padH(), spec.padW(), spec.strideH(), spec.strideW(),
                    spec.dilationH(), spec.dilationW(), Cudnn.CUDNN_CROSS_CORRELATION(), Cudnn.CUDNN_DATA_FLOAT()),
                    "cudnnSetConvolution2dDescriptor(" + spec + ")");
            CudaCheck.cudnn(Cudnn.cudnnSetConvolutionMathType(created, convolutionMathType), "cudnnSetConvolutionMathType");
            convolutions.put(spec, created);
            descriptor = created;
        }
        return descriptor;
    }

    /** Max pooling propagates NaN like PyTorch; average pooling divides by the full window, padding included. */
    MemorySegment pooling(Pool2dSpec spec, PoolingKind kind) {
        PoolingKey key = new PoolingKey(spec, kind);
        MemorySegment descriptor = poolings.get(key);
        if (descriptor == null) {
            CudaCheck.cudnn(Cudnn.cudnnCreatePoolingDescriptor(scratch.pointer()), "cudnnCreatePoolingDescriptor");
            MemorySegment created = scratch.pointerValue();
            destroyers.add(() -> CudaCheck.cudnn(Cudnn.cudnnDestroyPoolingDescriptor(created), "cudnnDestroyPoolingDescriptor"));
            int mode = switch (kind) {
                case MAX -> Cudnn.CUDNN_POOLING_MAX();
                case MAX_DETERMINISTIC -> Cudnn.CUDNN_POOLING_MAX_DETERMINISTIC();
                case AVERAGE_INCLUDE_PADDING -> Cudnn.CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING();
            };
            CudaCheck.cudnn(Cudnn.cudnnSetPooling2dDescriptor(created, mode, Cudnn.CUDNN_PROPAGATE_NAN(),
                    spec.kernelH(), spec.kernelW(), spec.padH(), spec.padW(), spec.strideH(), spec.strideW()),
                    "cudnnSetPooling2dDescriptor(" + kind + ", " + spec + ")");
            poolings.put(key, created);
            descriptor = created;
        }
        return descriptor;
    }

    /** The activation's descriptor, one per function, propagating NaN as PyTorch does. */
    MemorySegment activation(Activation function) {
        MemorySegment descriptor = activations.get(function);
        if (descriptor == null) {
            CudaCheck.cudnn(Cudnn.cudnnCreateActivationDescriptor(scratch.pointer()), "cudnnCreateActivationDescriptor");
            MemorySegment created = scratch.pointerValue();
            destroyers.add(() -> CudaCheck.cudnn(Cudnn.cudnnDestroyActivationDescriptor(created), "cudnnDestroyActivationDescriptor"));
            CudaCheck.cudnn(Cudnn.cudnnSetActivationDescriptor(created, function.mode(), Cudnn.CUDNN_PROPAGATE_NAN(), 0.0),
                    "cudnnSetActivationDescriptor(" + function + ")");
            activations.put(function, created);
            descriptor = created;
        }
        return descriptor;
    }

    /** Elementwise multiplication in float; NaN propagates, as in PyTorch. */
    MemorySegment multiply() {
        return opTensor(Cudnn.CUDNN_OP_TENSOR_MUL(), "MUL");
    }

    /** Elementwise addition in float (Adam's L2 term); NaN propagates. */
    MemorySegment add() {
        return opTensor(Cudnn.CUDNN_OP_TENSOR_ADD(), "ADD");
    }

    /** Elementwise square root in float (Adam's denominator); NaN propagates. */
    MemorySegment sqrt() {
        return opTensor(Cudnn.CUDNN_OP_TENSOR_SQRT(), "SQRT");
    }

    /** One cached OpTensor descriptor per operation, in float, propagating NaN as PyTorch does. */
    private MemorySegment opTensor(int op, String name) {
        MemorySegment descriptor = opTensors.get(op);
        if (descriptor == null) {
            CudaCheck.cudnn(Cudnn.cudnnCreateOpTensorDescriptor(scratch.pointer()), "cudnnCreateOpTensorDescriptor");
            MemorySegment created = scratch.pointerValue();
            destroyers.add(() -> CudaCheck.cudnn(Cudnn.cudnnDestroyOpTensorDescriptor(created), "cudnnDestroyOpTensorDescriptor"));
            CudaCheck.cudnn(Cudnn.cudnnSetOpTensorDescriptor(created, op, Cudnn.CUDNN_DATA_FLOAT(), Cudnn.CUDNN_PROPAGATE_NAN()),
                    "cudnnSetOpTensorDescriptor(" + name + ")");
            opTensors.put(op, created);
            descriptor = created;
        }
        return descriptor;
    }

    /** How many descriptors exist (tests check the cache stops growing after the first step). */
    int count() {
        return destroyers.size();
    }

    @Override
    public void close() {
        CudaException first = null;
        for (int i = destroyers.size() - 1; i >= 0; i--) {
            try {
                destroyers.get(i).run();
            } catch (CudaException e) {
                if (first == null) first = e;
            }
        }
        destroyers.clear();
        tensors.clear();
        filters.clear();
        convolutions.clear();
        poolings.clear();
        activations.clear();
        opTensors.clear();
        if (first != null) throw first;
    }
}
