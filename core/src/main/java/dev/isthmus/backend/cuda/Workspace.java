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
    /** Set once a graph captured the workspace's address: a replaced buffer is kept until close. */
    private boolean keepReplaced;
    private final java.util.List<MemorySegment> replaced = new java.util.ArrayList<>();

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

    /** Captured graphs hold the current buffer's address: from now on growing keeps the old buffer. */
    void keepReplacedBuffers() {
        keepReplaced = true;
    }

    private void release() {
        if (!buffer.equals(MemorySegment.NULL)) {
            MemorySegment old = buffer;
            buffer = MemorySegment.NULL;
            capacity = 0;
            if (keepReplaced) {
                replaced.add(old);
                return;
            }
            drainStream.run();
            CudaCheck.cuda(CudaRuntime.cudaFree(old), "cudaFree(cuDNN workspace)");
        }
    }

    @Override
    public void close() {
        keepReplaced = false;
        release();
        if (!replaced.isEmpty()) {
            drainStream.run();
            replaced.forEach(old -> CudaCheck.cuda(CudaRuntime.cudaFree(old), "cudaFree(cuDNN workspace)"));
            replaced.clear();
        }
    }
}
