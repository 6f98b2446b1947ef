package dev.isthmus.backend.cuda;

import dev.isthmus.bindings.cublas.Cublas;
import dev.isthmus.bindings.cudart.CudaRuntime;
import dev.isthmus.bindings.cudnn.Cudnn;
import dev.isthmus.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * What every CUDA op family needs: the stream, the cuDNN and cuBLAS handles bound to it, and the
 * caches built on them (descriptors, algorithm choices, workspace, tensor memory, pinned staging).
 * Created and destroyed as one, by {@link CudaBackend}.
 */
record CudaContext(CudaOptions options, NativeScratch scratch, MemorySegment stream, MemorySegment cudnn, MemorySegment cublas,
                   DeviceAllocator allocator, PinnedStaging staging, Descriptors descriptors, ConvolutionAlgorithms algorithms,
                   Workspace workspace) {

    /**
     * Creates the stream and handles on the current device (already selected); on failure undoes what
     * was made and rethrows.
     */
    static CudaContext open(CudaOptions options) {
        NativeScratch scratch = new NativeScratch();
        List<Runnable> undo = new ArrayList<>();
        try {
            CudaCheck.cuda(CudaRuntime.cudaStreamCreateWithFlags(scratch.pointer(), CudaRuntime.cudaStreamNonBlocking()), "cudaStreamCreateWithFlags");
            MemorySegment stream = scratch.pointerValue();
            undo.add(() -> CudaRuntime.cudaStreamDestroy(stream));

            CudaCheck.cudnn(Cudnn.cudnnCreate(scratch.pointer()), "cudnnCreate");
            MemorySegment cudnn = scratch.pointerValue();
            undo.add(() -> Cudnn.cudnnDestroy(cudnn));
            CudaCheck.cudnn(Cudnn.cudnnSetStream(cudnn, stream), "cudnnSetStream");

            CudaCheck.cublas(Cublas.cublasCreate_v2(scratch.pointer()), "cublasCreate_v2");
            MemorySegment cublas = scratch.pointerValue();
            undo.add(() -> Cublas.cublasDestroy_v2(cublas));
            CudaCheck.cublas(Cublas.cublasSetStream_v2(cublas, stream), "cublasSetStream_v2");
            // Scalars (alpha, beta) are host values read when the call is made, so one scratch slot serves all calls.
            CudaCheck.cublas(Cublas.cublasSetPointerMode_v2(cublas, Cublas.CUBLAS_POINTER_MODE_HOST()), "cublasSetPointerMode_v2");
            // DEFAULT_MATH keeps float32 GEMMs in float32 (cuBLAS never lowers precision in it); TF32 only on request.
            CudaCheck.cublas(Cublas.cublasSetMathMode(cublas, options.tf32() ? Cublas.CUBLAS_TF32_TENSOR_OP_MATH() : Cublas.CUBLAS_DEFAULT_MATH()),
                    "cublasSetMathMode");

            PinnedStaging staging = new PinnedStaging(scratch, stream);
            Runnable drain = () -> CudaCheck.cuda(CudaRuntime.cudaStreamSynchronize(stream), "cudaStreamSynchronize");
            return new CudaContext(options, scratch, stream, cudnn, cublas, new DeviceAllocator(scratch, drain), staging,
                    new Descriptors(scratch, options.tf32() ? Cudnn.CUDNN_TENSOR_OP_MATH() : Cudnn.CUDNN_FMA_MATH()),
                    new ConvolutionAlgorithms(cudnn, scratch, options), new Workspace(scratch, drain));
        } catch (RuntimeException | Error e) {
            for (int i = undo.size() - 1; i >= 0; i--) {
                try {
                    undo.get(i).run();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            scratch.close();
            throw e;
        }
    }

    /** Waits until all work queued on the stream has finished. */
    void synchronize() {
        CudaCheck.cuda(CudaRuntime.cudaStreamSynchronize(stream), "cudaStreamSynchronize");
    }

    /** Queues {@code tensor = 0}. */
    void zero(Tensor tensor) {
        CudaCheck.cuda(CudaRuntime.cudaMemsetAsync(tensor.segment(), 0, tensor.shape().bytes(), stream), "cudaMemsetAsync");
    }

    /**
     * Waits for queued work, then frees descriptors, the workspace, all tensor memory, pinned buffers,
     * the handles and the stream; every step runs even if an earlier one fails, the first failure is thrown.
     */
    void close() {
        RuntimeException first = null;
        Runnable[] steps = {
                this::synchronize,
                descriptors::close,
                workspace::close,
                allocator::close,
                staging::close,
                () -> CudaCheck.cublas(Cublas.cublasDestroy_v2(cublas), "cublasDestroy_v2"),
                () -> CudaCheck.cudnn(Cudnn.cudnnDestroy(cudnn), "cudnnDestroy"),
                () -> CudaCheck.cuda(CudaRuntime.cudaStreamDestroy(stream), "cudaStreamDestroy"),
                scratch::close};
        for (Runnable step : steps) {
            try {
                step.run();
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        if (first != null) throw first;
    }
}
