package dev.isthmus.tensor;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One block of backend memory (host or device) and the one action that frees it.
 * Freeing happens at most once; any access after that throws instead of touching freed memory.
 */
public final class Memory implements AutoCloseable {
    /** Frees a block; given by the backend that allocated it. */
    @FunctionalInterface
    public interface Releaser {
        /**
         * Frees the block; called once, by {@link Memory#close()}.
         *
         * @param segment the block as it was handed to {@link Memory#Memory}
         * @param bytes   its size
         */
        void release(MemorySegment segment, long bytes);
    }

    private final MemorySegment segment;
    private final long bytes;
    private final Releaser releaser;
    private final AtomicBoolean released = new AtomicBoolean();

    /**
     * Takes ownership of a block that a backend has just allocated: from here on only {@link #close()}
     * frees it, through {@code releaser}. Normally a {@link Tensor} owns the {@code Memory} and closes it.
     *
     * @param segment  the block (host memory, or a device address on GPU backends)
     * @param bytes    its size
     * @param releaser the backend's way of freeing it
     */
    public Memory(MemorySegment segment, long bytes, Releaser releaser) {
        this.segment = segment;
        this.bytes = bytes;
        this.releaser = releaser;
    }

    /**
     * The block: host memory on CPU backends, a device address (not dereferenceable on the host) on GPU backends.
     *
     * @return the block; still owned by this {@code Memory}
     * @throws IllegalStateException after {@link #close()}
     */
    public MemorySegment segment() {
        if (released.get()) {
            throw new IllegalStateException("tensor memory was already freed (use after close)");
        }
        return segment;
    }

    /**
     * The block's size.
     *
     * @return its size in bytes
     */
    public long bytes() {
        return bytes;
    }

    /**
     * Whether the block was freed.
     *
     * @return true once {@link #close()} has freed it
     */
    public boolean isReleased() {
        return released.get();
    }

    /** Frees the block through its releaser, once; later calls do nothing. The owner (usually a tensor) calls it. */
    @Override
    public void close() {
        if (released.compareAndSet(false, true)) {
            releaser.release(segment, bytes);
        }
    }
}
