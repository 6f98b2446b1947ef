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
        void release(MemorySegment segment, long bytes);
    }

    private final MemorySegment segment;
    private final long bytes;
    private final Releaser releaser;
    private final AtomicBoolean released = new AtomicBoolean();

    public Memory(MemorySegment segment, long bytes, Releaser releaser) {
        this.segment = segment;
        this.bytes = bytes;
        this.releaser = releaser;
    }

    /** The block: host memory on CPU backends, a device address (not dereferenceable on the host) on GPU backends. */
    public MemorySegment segment() {
        if (released.get()) {
            throw new IllegalStateException("tensor memory was already freed (use after close)");
        }
        return segment;
    }

    public long bytes() {
        return bytes;
    }

    public boolean isReleased() {
        return released.get();
    }

    @Override
    public void close() {
        if (released.compareAndSet(false, true)) {
            releaser.release(segment, bytes);
        }
    }
}
