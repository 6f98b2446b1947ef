package dev.isthmus.backend.cuda;

/**
 * The thread a {@link CudaBackend} is confined to: the one that opened it, like its handles and scratch
 * memory (cuDNN and cuBLAS handles and the device selection are per thread).
 */
final class OwningThread {

    private final Thread owner = Thread.currentThread();

    /** Throws {@link IllegalStateException} unless called from the thread that created this object. */
    void check() {
        Thread current = Thread.currentThread();
        if (current != owner) {
            throw new IllegalStateException("this CudaBackend belongs to thread '" + owner.getName() + "', which opened it, but was called from thread '"
                    + current.getName() + "'; open one backend per thread");
        }
    }
}
