package dev.isthmus.backend.cuda;

import dev.isthmus.bindings.cudart.CudaRuntime;

import java.lang.foreign.MemorySegment;

/**
 * The one device buffer all cuDNN convolutions of a backend share as scratch. It only grows, to the
 * largest size a chosen algorithm needs (never above the cap, which the algorithm choice respects).
 * Growing first waits for the stream: {@code cudaFree} only "may" synchronise, and queued
 * convolutions may still be using the old buffer.
 */
final class Workspace implements AutoCloseable {
    private final NativeScratch scratch;
    private final Runnable drainStream;
    private MemorySegment buffer = MemorySegment.NULL;
    private long capacity;

    /** @param drainStream waits until the backend's queued work has finished */
    Workspace(NativeScratch scratch, Runnable drainStream) {
        this.scratch = scratch;
        this.drainStream = drainStream;
    }

    /** A buffer of at least {@code bytes} (NULL when zero are needed). */
    MemorySegment ensure(long bytes) {
        if (bytes > capacity) {
            release();
            long rounded = DeviceAllocator.blockSize(bytes);
            CudaCheck.cuda(CudaRuntime.cudaMalloc(scratch.pointer(), rounded), "cudaMalloc(cuDNN workspace, " + rounded + " bytes)");
            buffer = scratch.pointerValue();
            capacity = rounded;
        }
        return buffer;
    }

    long capacity() {
        return capacity;
    }

    private void release() {
        if (!buffer.equals(MemorySegment.NULL)) {
            MemorySegment old = buffer;
            buffer = MemorySegment.NULL;
            capacity = 0;
            drainStream.run();
            CudaCheck.cuda(CudaRuntime.cudaFree(old), "cudaFree(cuDNN workspace)");
        }
    }

    @Override
    public void close() {
        release();
    }
}
