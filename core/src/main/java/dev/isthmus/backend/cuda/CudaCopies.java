package dev.isthmus.backend.cuda;

import dev.isthmus.bindings.cudart.CudaRuntime;
import dev.isthmus.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.List;

/** Copies of tensor memory: host transfers (through pinned staging), device copies, channel concatenation and split. */
final class CudaCopies {
    private final CudaContext cuda;

    CudaCopies(CudaContext cuda) {
        this.cuda = cuda;
    }

    void fromHost(MemorySegment host, Tensor target) {
        cuda.staging().upload(host, target.segment(), target.shape().bytes());
    }

    void toHost(Tensor source, MemorySegment host) {
        cuda.staging().download(source.segment(), host, source.shape().bytes());
    }

    void copy(Tensor source, Tensor target) {
        CudaCheck.cuda(CudaRuntime.cudaMemcpyAsync(target.segment(), source.segment(), source.shape().bytes(),
                CudaRuntime.cudaMemcpyDeviceToDevice(), cuda.stream()), "cudaMemcpyAsync(device to device)");
    }

    /**
     * Each input is one strided 2-D copy: N rows of C_i·H·W floats, packed in the source (pitch
     * C_i·H·W·4 bytes) and placed at channel offset c_i of every output row (pitch C_total·H·W·4 bytes).
     */
    void concat(List<Tensor> inputs, Tensor output) {
        copyBlocks(output, inputs, true);
    }

    /** The inverse of {@link #concat}: each part is one strided 2-D copy out of the input. */
    void split(Tensor input, List<Tensor> parts) {
        copyBlocks(input, parts, false);
    }

    private void copyBlocks(Tensor whole, List<Tensor> blocks, boolean gather) {
        int rows = whole.shape().dim(0);
        long plane = (long) whole.shape().dim(2) * whole.shape().dim(3) * Float.BYTES;
        long pitch = whole.shape().dim(1) * plane;
        long offset = 0;
        for (Tensor block : blocks) {
            long width = block.shape().dim(1) * plane;
            if (width > 0) {
                MemorySegment inWhole = DevicePointers.offset(whole.segment(), offset);
                if (gather) {
                    CudaCheck.cuda(CudaRuntime.cudaMemcpy2DAsync(inWhole, pitch, block.segment(), width, width, rows,
                            CudaRuntime.cudaMemcpyDeviceToDevice(), cuda.stream()), "cudaMemcpy2DAsync(concat)");
                } else {
                    CudaCheck.cuda(CudaRuntime.cudaMemcpy2DAsync(block.segment(), width, inWhole, pitch, width, rows,
                            CudaRuntime.cudaMemcpyDeviceToDevice(), cuda.stream()), "cudaMemcpy2DAsync(split)");
                }
            }
            offset += width;
        }
    }
}
