package dev.isthmus.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Small native segments reused by every call of one backend: out-parameters (a handle or device
 * pointer, counts, sizes) and the host-side alpha/beta scalars cuDNN and cuBLAS read at call time.
 * Allocated once in a confined arena, so hot paths allocate nothing and the segments can only be
 * touched from the backend's thread.
 */
final class NativeScratch implements AutoCloseable {
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment pointer = arena.allocate(ValueLayout.ADDRESS);
    private final MemorySegment ints = arena.allocate(ValueLayout.JAVA_INT, 4);
    private final MemorySegment sizes = arena.allocate(ValueLayout.JAVA_LONG, 2);
    private final MemorySegment one = floatConstant(1f);
    private final MemorySegment zero = floatConstant(0f);
    private final MemorySegment alpha = arena.allocate(ValueLayout.JAVA_FLOAT);

    private MemorySegment floatConstant(float value) {
        MemorySegment segment = arena.allocate(ValueLayout.JAVA_FLOAT);
        segment.set(ValueLayout.JAVA_FLOAT, 0, value);
        return segment;
    }

    /** Receives a handle or device pointer ({@code cudnnCreate(&handle)}, {@code cudaMalloc(&ptr, n)}). */
    MemorySegment pointer() {
        return pointer;
    }

    /** The address last written into {@link #pointer()}. */
    MemorySegment pointerValue() {
        return pointer.get(ValueLayout.ADDRESS, 0);
    }

    /** Receives an {@code int} count. */
    MemorySegment intOut() {
        return ints;
    }

    int intValue() {
        return ints.get(ValueLayout.JAVA_INT, 0);
    }

    /** Receives a {@code size_t}. */
    MemorySegment sizeOut() {
        return sizes;
    }

    long sizeValue() {
        return sizes.get(ValueLayout.JAVA_LONG, 0);
    }

    /** A second {@code size_t} out-parameter, for calls that return two ({@code cudaMemGetInfo}). */
    MemorySegment secondSizeOut() {
        return sizes.asSlice(Long.BYTES);
    }

    long secondSizeValue() {
        return sizes.get(ValueLayout.JAVA_LONG, Long.BYTES);
    }

    MemorySegment one() {
        return one;
    }

    MemorySegment zero() {
        return zero;
    }

    /** The first variable scalar, set to {@code value}; valid until the next call of this method. */
    MemorySegment alpha(float value) {
        alpha.set(ValueLayout.JAVA_FLOAT, 0, value);
        return alpha;
    }

    /** An arena for one-off allocations of this backend (algorithm search results); freed with the backend. */
    Arena arena() {
        return arena;
    }

    @Override
    public void close() {
        arena.close();
    }
}
