package dev.isthmus.backend;

import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The memory half of every backend: the hooks a backend implements for memory ({@link #checkUsable},
 * {@link #allocate}, zeros and the host copies), their final fronts ({@code zeros}, {@code fromHost},
 * {@code toHost}, {@code copy}), and how every op's front allocates its results and frees them again
 * when the computation fails. The op hooks are in {@link BackendHooks}, the op fronts in
 * {@link AbstractBackend}, which a backend extends.
 */
public abstract class BackendMemory implements Backend {

    /** For {@link BackendHooks} only. */
    BackendMemory() {
    }

    /**
     * Throws {@link IllegalStateException} when this backend may not be used now (closed, wrong thread).
     *
     * @param op the method that was called, for the message
     */
    protected abstract void checkUsable(String op);

    /**
     * A new tensor of {@code shape} whose contents are undefined; the caller fills it.
     *
     * @param shape the tensor's shape, already checked
     * @return a tensor of this backend
     */
    protected abstract Tensor allocate(Shape shape);

    /**
     * Sets every element to zero.
     *
     * @param target a non-empty tensor of this backend
     */
    protected abstract void computeZeros(Tensor target);

    /**
     * Copies {@code target}'s byte size from host memory into {@code target}.
     *
     * @param host   host memory, at least as large as the target
     * @param target a non-empty tensor of this backend
     */
    protected abstract void computeFromHost(MemorySegment host, Tensor target);

    /**
     * Copies a tensor's values into host memory.
     *
     * @param source a non-empty tensor of this backend
     * @param host   host memory, at least as large as the source
     */
    protected abstract void computeToHost(Tensor source, MemorySegment host);

    /**
     * Copies one tensor into another of equal byte size.
     *
     * @param source a non-empty tensor of this backend
     * @param target a tensor of this backend with as many elements
     */
    protected abstract void computeCopy(Tensor source, Tensor target);

    // ================================================================ memory

    @Override
    public final Tensor zeros(Shape shape) {
        checkUsable("zeros");
        OpArguments.shape(this, "zeros", shape);
        return produce(shape, true, t -> { });
    }

    @Override
    public final Tensor fromHost(Shape shape, MemorySegment host) {
        checkUsable("fromHost");
        OpArguments.shape(this, "fromHost", shape);
        OpArguments.host("fromHost", host, shape);
        return produce(shape, false, t -> computeFromHost(host, t));
    }

    /** Uploads straight from the array (a heap segment), with no intermediate copy. */
    @Override
    public final Tensor fromArray(Shape shape, float... values) {
        if (values.length != shape.numel()) {
            throw new IllegalArgumentException("fromArray: " + values.length + " values do not fill shape " + shape);
        }
        return fromHost(shape, MemorySegment.ofArray(values));
    }

    /** Downloads straight into a new array (a heap segment), with no intermediate copy. */
    @Override
    public final float[] toArray(Tensor tensor) {
        float[] values = new float[Math.toIntExact(tensor.numel())];
        toHost(tensor, MemorySegment.ofArray(values));
        return values;
    }

    @Override
    public final void toHost(Tensor source, MemorySegment host) {
        checkUsable("toHost");
        live("toHost", "source", source);
        OpArguments.host("toHost", host, source.shape());
        if (source.numel() > 0) computeToHost(source, host);
    }

    @Override
    public final void copy(Tensor source, Tensor target) {
        checkUsable("copy");
        live("copy", "source", source);
        live("copy", "target", target);
        if (source.numel() != target.numel()) {
            throw new IllegalArgumentException("copy: source " + source.shape() + " has " + source.numel() + " elements but target "
                    + target.shape() + " has " + target.numel() + "; copy between tensors of equal size");
        }
        if (source.numel() > 0) computeCopy(source, target);
    }

    // ================================================================ helpers

    final void live(String op, String argument, Tensor tensor) {
        OpArguments.live(this, op, argument, tensor);
    }

    /**
     * A new tensor of {@code shape} filled by {@code hook}, or by zeros when {@code noTerms}; the hook is
     * skipped for an empty result. Freed again if filling fails, so a failed op leaks nothing.
     */
    final Tensor produce(Shape shape, boolean noTerms, Consumer<Tensor> hook) {
        Tensor result = allocate(shape);
        try {
            if (shape.numel() > 0) {
                if (noTerms) {
                    computeZeros(result);
                } else {
                    hook.accept(result);
                }
            }
            return result;
        } catch (RuntimeException | Error e) {
            closeQuietly(result, e);
            throw e;
        }
    }

    /**
     * New tensors of {@code shapes} filled together by {@code hook} when {@code compute} (the op's
     * input is not empty); all are freed again if filling fails.
     */
    final List<Tensor> produceAll(List<Shape> shapes, boolean compute, Consumer<List<Tensor>> hook) {
        List<Tensor> results = new ArrayList<>(shapes.size());
        try {
            for (Shape shape : shapes) results.add(allocate(shape));
            if (compute) hook.accept(results);
            return results;
        } catch (RuntimeException | Error e) {
            results.forEach(result -> closeQuietly(result, e));
            throw e;
        }
    }

    private static void closeQuietly(Tensor tensor, Throwable failure) {
        try {
            tensor.close();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }
}
