package dev.isthmus.testing.standin;

import dev.isthmus.bindings.cublas.Cublas;
import dev.isthmus.bindings.cudart.CudaRuntime;
import dev.isthmus.bindings.cudnn.Cudnn;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Calls into the stand-in through the generated bindings for tests of the stand-in itself: device buffers,
 * descriptors and handles, all released by {@link #close()}. Status codes other than success throw
 * {@link AssertionError} naming the call; tests that expect a failure call the bindings directly.
 */
public final class StandInSession implements AutoCloseable {
    private final Arena arena = Arena.ofConfined();
    private final List<MemorySegment> deviceBuffers = new ArrayList<>();
    private final List<Runnable> releases = new ArrayList<>();
    public final MemorySegment cudnn;
    public final MemorySegment cublas;

    /** Loads the stand-in for the bindings (building it if needed) and creates a cuDNN and a cuBLAS handle. */
    public StandInSession() {
        CudaStandIn.loadForBindings();
        MemorySegment handle = arena.allocate(ADDRESS);
        cudnn(Cudnn.cudnnCreate(handle), "cudnnCreate");
        cudnn = handle.get(ADDRESS, 0);
        cublas(Cublas.cublasCreate_v2(handle), "cublasCreate");
        cublas = handle.get(ADDRESS, 0);
    }

    /** Host memory for the length of the session. */
    public Arena arena() {
        return arena;
    }

    /** A host float holding value, for alpha/beta arguments. */
    public MemorySegment scalar(float value) {
        return arena.allocateFrom(JAVA_FLOAT, value);
    }

    /** cudaMalloc of bytes; freed by close(). */
    public MemorySegment deviceBytes(long bytes) {
        MemorySegment pointer = arena.allocate(ADDRESS);
        cuda(CudaRuntime.cudaMalloc(pointer, bytes), "cudaMalloc");
        MemorySegment device = pointer.get(ADDRESS, 0);
        deviceBuffers.add(device);
        return device;
    }

    /** A device buffer holding values (cudaMalloc + cudaMemcpy host to device). */
    public MemorySegment device(float... values) {
        MemorySegment device = deviceBytes(Math.max(1, values.length) * 4L);
        MemorySegment host = arena.allocateFrom(JAVA_FLOAT, values);
        cuda(CudaRuntime.cudaMemcpy(device, host, values.length * 4L, CudaRuntime.cudaMemcpyHostToDevice()), "cudaMemcpy");
        return device;
    }

    /** An uninitialised device buffer of count floats (the stand-in fills fresh allocations with NaN). */
    public MemorySegment deviceFloats(int count) {
        return deviceBytes(count * 4L);
    }

    /** count floats read back from device memory (cudaMemcpy device to host). */
    public float[] read(MemorySegment device, int count) {
        MemorySegment host = arena.allocate(JAVA_FLOAT, count);
        cuda(CudaRuntime.cudaMemcpy(host, device, count * 4L, CudaRuntime.cudaMemcpyDeviceToHost()), "cudaMemcpy");
        return host.toArray(JAVA_FLOAT);
    }

    /** A packed NCHW float tensor descriptor. */
    public MemorySegment tensor(int n, int c, int h, int w) {
        MemorySegment descriptor = createTensor();
        cudnn(Cudnn.cudnnSetTensor4dDescriptor(descriptor, Cudnn.CUDNN_TENSOR_NCHW(), Cudnn.CUDNN_DATA_FLOAT(), n, c, h, w),
                "cudnnSetTensor4dDescriptor");
        return descriptor;
    }

    /** A float tensor descriptor with explicit strides (cudnnSetTensor4dDescriptorEx). */
    public MemorySegment stridedTensor(int n, int c, int h, int w, int nStride, int cStride, int hStride, int wStride) {
        MemorySegment descriptor = createTensor();
        cudnn(Cudnn.cudnnSetTensor4dDescriptorEx(descriptor, Cudnn.CUDNN_DATA_FLOAT(), n, c, h, w, nStride, cStride, hStride,
                wStride), "cudnnSetTensor4dDescriptorEx");
        return descriptor;
    }

    /** A created but unset tensor descriptor. */
    public MemorySegment createTensor() {
        MemorySegment out = arena.allocate(ADDRESS);
        cudnn(Cudnn.cudnnCreateTensorDescriptor(out), "cudnnCreateTensorDescriptor");
        MemorySegment descriptor = out.get(ADDRESS, 0);
        releases.add(() -> cudnn(Cudnn.cudnnDestroyTensorDescriptor(descriptor), "cudnnDestroyTensorDescriptor"));
        return descriptor;
    }

    /** A KCRS float filter descriptor. */
    public MemorySegment filter(int k, int c, int h, int w) {
        MemorySegment out = arena.allocate(ADDRESS);
        cudnn(Cudnn.cudnnCreateFilterDescriptor(out), "cudnnCreateFilterDescriptor");
        MemorySegment descriptor = out.get(ADDRESS, 0);
        releases.add(() -> cudnn(Cudnn.cudnnDestroyFilterDescriptor(descriptor), "cudnnDestroyFilterDescriptor"));
        cudnn(Cudnn.cudnnSetFilter4dDescriptor(descriptor, Cudnn.CUDNN_DATA_FLOAT(), Cudnn.CUDNN_TENSOR_NCHW(), k, c, h, w),
                "cudnnSetFilter4dDescriptor");
        return descriptor;
    }

    /** A 2-d convolution descriptor with FLOAT compute; mode is CUDNN_CROSS_CORRELATION or CUDNN_CONVOLUTION. */
    public MemorySegment convolution(int padH, int padW, int strideH, int strideW, int dilationH, int dilationW, int mode) {
        MemorySegment out = arena.allocate(ADDRESS);
        cudnn(Cudnn.cudnnCreateConvolutionDescriptor(out), "cudnnCreateConvolutionDescriptor");
        MemorySegment descriptor = out.get(ADDRESS, 0);
        releases.add(() -> cudnn(Cudnn.cudnnDestroyConvolutionDescriptor(descriptor), "cudnnDestroyConvolutionDescriptor"));
        cudnn(Cudnn.cudnnSetConvolution2dDescriptor(descriptor, padH, padW, strideH, strideW, dilationH, dilationW, mode,
                Cudnn.CUDNN_DATA_FLOAT()), "cudnnSetConvolution2dDescriptor");
        return descriptor;
    }

    /** A 2-d pooling descriptor (NaN not propagated). */
    public MemorySegment pooling(int mode, int window, int padding, int stride) {
        MemorySegment out = arena.allocate(ADDRESS);
        cudnn(Cudnn.cudnnCreatePoolingDescriptor(out), "cudnnCreatePoolingDescriptor");
        MemorySegment descriptor = out.get(ADDRESS, 0);
        releases.add(() -> cudnn(Cudnn.cudnnDestroyPoolingDescriptor(descriptor), "cudnnDestroyPoolingDescriptor"));
        cudnn(Cudnn.cudnnSetPooling2dDescriptor(descriptor, mode, Cudnn.CUDNN_NOT_PROPAGATE_NAN(), window, window, padding,
                padding, stride, stride), "cudnnSetPooling2dDescriptor");
        return descriptor;
    }

    /** An activation descriptor. */
    public MemorySegment activation(int mode) {
        MemorySegment out = arena.allocate(ADDRESS);
        cudnn(Cudnn.cudnnCreateActivationDescriptor(out), "cudnnCreateActivationDescriptor");
        MemorySegment descriptor = out.get(ADDRESS, 0);
        releases.add(() -> cudnn(Cudnn.cudnnDestroyActivationDescriptor(descriptor), "cudnnDestroyActivationDescriptor"));
        cudnn(Cudnn.cudnnSetActivationDescriptor(descriptor, mode, Cudnn.CUDNN_PROPAGATE_NAN(), 0.0),
                "cudnnSetActivationDescriptor");
        return descriptor;
    }

    /** An op-tensor descriptor with FLOAT compute. */
    public MemorySegment opTensor(int op) {
        MemorySegment out = arena.allocate(ADDRESS);
        cudnn(Cudnn.cudnnCreateOpTensorDescriptor(out), "cudnnCreateOpTensorDescriptor");
        MemorySegment descriptor = out.get(ADDRESS, 0);
        releases.add(() -> cudnn(Cudnn.cudnnDestroyOpTensorDescriptor(descriptor), "cudnnDestroyOpTensorDescriptor"));
        cudnn(Cudnn.cudnnSetOpTensorDescriptor(descriptor, op, Cudnn.CUDNN_DATA_FLOAT(), Cudnn.CUDNN_NOT_PROPAGATE_NAN()),
                "cudnnSetOpTensorDescriptor");
        return descriptor;
    }

    /** A reduce-tensor descriptor with FLOAT compute and 32-bit indices. */
    public MemorySegment reduceTensor(int op, int indices) {
        MemorySegment out = arena.allocate(ADDRESS);
        cudnn(Cudnn.cudnnCreateReduceTensorDescriptor(out), "cudnnCreateReduceTensorDescriptor");
        MemorySegment descriptor = out.get(ADDRESS, 0);
        releases.add(() -> cudnn(Cudnn.cudnnDestroyReduceTensorDescriptor(descriptor), "cudnnDestroyReduceTensorDescriptor"));
        cudnn(Cudnn.cudnnSetReduceTensorDescriptor(descriptor, op, Cudnn.CUDNN_DATA_FLOAT(), Cudnn.CUDNN_NOT_PROPAGATE_NAN(),
                indices, Cudnn.CUDNN_32BIT_INDICES()), "cudnnSetReduceTensorDescriptor");
        return descriptor;
    }

    /** A size_t out-parameter. */
    public MemorySegment sizeOut() {
        return arena.allocate(JAVA_LONG);
    }

    /** cuDNN's message for the calling thread's last error. */
    public String cudnnLastError() {
        MemorySegment message = arena.allocate(1024);
        Cudnn.cudnnGetLastErrorString(message, message.byteSize());
        return message.getString(0);
    }

    public static void cuda(int status, String call) {
        if (status != CudaRuntime.cudaSuccess()) {
            throw new AssertionError(call + " failed: " + CudaRuntime.cudaGetErrorName(status).getString(0));
        }
    }

    public void cudnn(int status, String call) {
        if (status != Cudnn.CUDNN_STATUS_SUCCESS()) {
            throw new AssertionError(call + " failed: " + Cudnn.cudnnGetErrorString(status).getString(0) + " ("
                    + cudnnLastError() + ")");
        }
    }

    public static void cublas(int status, String call) {
        if (status != Cublas.CUBLAS_STATUS_SUCCESS()) {
            throw new AssertionError(call + " failed: " + Cublas.cublasGetStatusName(status).getString(0));
        }
    }

    /** Destroys descriptors and handles, frees device memory, then releases host memory. */
    @Override
    public void close() {
        try {
            for (int i = releases.size() - 1; i >= 0; i--) {
                releases.get(i).run();
            }
            for (MemorySegment device : deviceBuffers) {
                cuda(CudaRuntime.cudaFree(device), "cudaFree");
            }
            cudnn(Cudnn.cudnnDestroy(cudnn), "cudnnDestroy");
            cublas(Cublas.cublasDestroy_v2(cublas), "cublasDestroy");
        } finally {
            arena.close();
        }
    }
}
