package dev.isthmus.tensor;

import dev.isthmus.backend.Backend;

import java.lang.foreign.MemorySegment;

/**
 * A dense float32 tensor in row-major (NCHW) order, living in its backend's memory.
 * <p>
 * A tensor either owns its memory (closing it frees the memory) or is a view of another
 * tensor's memory ({@link #view}), which frees nothing and becomes unusable once the owner is closed.
 */
public final class Tensor implements AutoCloseable {
    private final Shape shape;
    private final Backend backend;
    private final Memory memory;
    private final boolean owner;

    /**
     * A tensor that owns {@code memory}: closing the tensor frees it, so the caller hands the memory
     * over and must not close it itself. Backends create tensors this way; users get them from a
     * {@link Backend} ({@code zeros}, {@code fromArray}, ...) and close them, or let a
     * {@code StepScope} close them.
     *
     * @param shape   the tensor's shape; {@code memory} must hold at least {@code shape.bytes()}
     * @param backend the backend whose memory this is
     * @param memory  the memory, owned by the new tensor from now on
     */
    public Tensor(Shape shape, Backend backend, Memory memory) {
        this(shape, backend, memory, true);
    }

    private Tensor(Shape shape, Backend backend, Memory memory, boolean owner) {
        if (shape.bytes() > memory.bytes()) {
            throw new IllegalArgumentException("shape " + shape + " needs " + shape.bytes() + " bytes but the memory has " + memory.bytes());
        }
        this.shape = shape;
        this.backend = backend;
        this.memory = memory;
        this.owner = owner;
    }

    /**
     * The tensor's shape.
     *
     * @return its shape
     */
    public Shape shape() {
        return shape;
    }

    /**
     * The backend whose memory holds the values.
     *
     * @return the backend
     */
    public Backend backend() {
        return backend;
    }

    /**
     * Number of elements.
     *
     * @return the shape's element count
     */
    public long numel() {
        return shape.numel();
    }

    /**
     * The memory (host segment or device address); throws after the memory was freed.
     *
     * @return the memory, still owned by the owning tensor
     */
    public MemorySegment segment() {
        return memory.segment();
    }

    /**
     * Whether the memory was freed (by this tensor or, for a view, by its owner).
     *
     * @return true once the memory is freed
     */
    public boolean isClosed() {
        return memory.isReleased();
    }

    /**
     * The same memory seen with another shape of equal size, like PyTorch's {@code view}; no copy.
     * The view does not own the memory: closing it frees nothing, and it is unusable once this
     * tensor is closed.
     *
     * @param newShape a shape with as many elements
     * @return the view
     */
    public Tensor view(Shape newShape) {
        if (newShape.numel() != shape.numel()) {
            throw new IllegalArgumentException("view: cannot view " + shape + " (" + shape.numel() + " elements) as " + newShape + " (" + newShape.numel() + " elements)");
        }
        memory.segment(); // fail now if already freed
        return new Tensor(newShape, backend, memory, false);
    }

    /**
     * Flattens all dimensions after the first: [N, C, H, W] becomes [N, C*H*W].
     *
     * @return a view (owning nothing) of the same memory
     */
    public Tensor flatten() {
        return view(Shape.of(shape.dim(0), (int) (shape.numel() / Math.max(1, shape.dim(0)))));
    }

    /**
     * Copies the values to a new Java array (synchronises with the device on GPU backends).
     *
     * @return the values in row-major order
     */
    public float[] toArray() {
        return backend.toArray(this);
    }

    /** Frees the memory if this tensor owns it; harmless when repeated. Views free nothing. */
    @Override
    public void close() {
        if (owner) {
            memory.close();
        }
    }

    @Override
    public String toString() {
        return "Tensor" + shape + "@" + backend.name() + (isClosed() ? " (closed)" : "");
    }
}
