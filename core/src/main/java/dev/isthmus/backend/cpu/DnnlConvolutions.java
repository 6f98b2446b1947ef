package dev.isthmus.backend.cpu;

import dev.isthmus.backend.parallel.ForkJoinParts;
import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.tensor.Shape;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;

/**
 * The convolutions of one backend, each split over the batch: the one parallel decision per op. A batch of N
 * runs as up to {@link #threads()} contiguous parts, each a single-threaded oneDNN primitive on its own slice
 * of the input and output, through {@link ForkJoinParts} (the calling thread takes part too, and runs a part
 * itself when no helper is free, so a busy machine slows the op down but never stalls it on a sleeping thread,
 * as OpenMP's barriers do). Backward weights sums the parts' partial gradients, each from its own buffer.
 * <p>
 * Primitives are created on first use per geometry, part and direction ({@link TunedConvolution} picks the faster
 * of two layouts then), and kept: a network has a handful of distinct convolutions, so after the first step nothing
 * is created or allocated again.
 */
final class DnnlConvolutions implements AutoCloseable {
    private record Key(DnnlConvolution.Direction direction, Shape input, Shape weight, Conv2dSpec spec, boolean bias, int part) {
    }

    /** One geometry's partial weight gradients, parts 1…n−1; its lock keeps two calls of that geometry apart. */
    private record Partials(Shape input, Shape weight, Conv2dSpec spec) {
    }

    private final DnnlEngine engine;
    private final Map<Key, TunedConvolution> primitives = new ConcurrentHashMap<>();
    /** One layout decision per geometry and direction (the key's part is 0). */
    private final Map<Key, TunedConvolution.Choice> choices = new ConcurrentHashMap<>();
    private final Map<Partials, MemorySegment[]> partialGradients = new ConcurrentHashMap<>();
    private final Arena arena = Arena.ofShared();

    DnnlConvolutions(DnnlEngine engine) {
        this.engine = engine;
    }

    /** Threads one op may use: {@link ForkJoinParts#threads()}, which runs the parts. */
    static int threads() {
        return ForkJoinParts.threads();
    }

    void forward(Shape input, Shape weight, Shape output, Conv2dSpec spec, MemorySegment x, MemorySegment w, MemorySegment b, MemorySegment y) {
        int parts = parts(input.dim(0));
        ForkJoinParts.forEach(parts, part -> {
            int from = from(input.dim(0), part, parts), to = from(input.dim(0), part + 1, parts);
            TunedConvolution primitive = get(DnnlConvolution.Direction.FORWARD, input, weight, output, spec, b != null, part, to - from);
            if (b == null) {
                primitive.execute(rows(x, input, from, to), w, rows(y, output, from, to));
            } else {
                primitive.execute(rows(x, input, from, to), w, b, rows(y, output, from, to));
            }
        });
    }

    void backwardData(Shape input, Shape weight, Shape output, Conv2dSpec spec, MemorySegment dy, MemorySegment w, MemorySegment dx) {
        int parts = parts(input.dim(0));
        ForkJoinParts.forEach(parts, part -> {
            int from = from(input.dim(0), part, parts), to = from(input.dim(0), part + 1, parts);
            get(DnnlConvolution.Direction.BACKWARD_DATA, input, weight, output, spec, false, part, to - from)
                    .execute(rows(dy, output, from, to), w, rows(dx, input, from, to));
        });
    }

    /** dw = Σ over parts of each part's weight gradient; part 0 writes into dw, the others into their own buffers. */
    void backwardWeights(Shape input, Shape weight, Shape output, Conv2dSpec spec, MemorySegment x, MemorySegment dy, MemorySegment dw) {
        int parts = parts(input.dim(0));
        MemorySegment[] partials = partialGradients.computeIfAbsent(new Partials(input, weight, spec), key -> {
            MemorySegment[] buffers = new MemorySegment[parts];
            for (int part = 1; part < parts; part++) {
                buffers[part] = arena.allocate(weight.bytes(), 64);
            }
            return buffers;
        });
        synchronized (partials) {
            ForkJoinParts.forEach(parts, part -> {
                int from = from(input.dim(0), part, parts), to = from(input.dim(0), part + 1, parts);
                get(DnnlConvolution.Direction.BACKWARD_WEIGHTS, input, weight, output, spec, false, part, to - from)
                        .execute(rows(x, input, from, to), rows(dy, output, from, to), part == 0 ? dw : partials[part]);
            });
            long count = weight.numel();
            for (int part = 1; part < parts; part++) {
                for (long i = 0; i < count; i++) {
                    long offset = i * Float.BYTES;
                    dw.set(JAVA_FLOAT_UNALIGNED, offset, dw.get(JAVA_FLOAT_UNALIGNED, offset) + partials[part].get(JAVA_FLOAT_UNALIGNED, offset));
                }
            }
        }
    }

    /** Which oneDNN kernels serve the geometries seen so far, e.g. for a benchmark report. */
    Map<String, String> implementations() {
        Map<String, String> result = new TreeMap<>();
        primitives.forEach((key, primitive) -> {
            int batch = key.input().dim(0), parts = parts(batch);
            Shape partInput = batch(key.input(), from(batch, key.part() + 1, parts) - from(batch, key.part(), parts));
            result.put(key.direction() + " " + partInput + " * " + key.weight() + " " + key.spec() + " part " + key.part(), primitive.implementation());
        });
        return result;
    }

    /**
     * oneDNN wants the right/bottom padding that makes {@code (size + padL + padR - kernel) / stride + 1} equal the
     * output size exactly, where PyTorch floors; this is that padding (it may be below {@code padL}, even negative).
     */
    static long rightPadding(int size, int kernel, int output, int stride, int padL) {
        return (long) (output - 1) * stride + kernel - size - padL;
    }

    /** True when oneDNN takes this geometry as is: no dilation, no negative right padding, a non-empty output. */
    static boolean supports(Shape input, Shape weight, Shape output, Conv2dSpec spec) {
        return spec.dilationH() == 1 && spec.dilationW() == 1 && output.numel() > 0
                && rightPadding(input.dim(2), weight.dim(2), output.dim(2), spec.strideH(), spec.padH()) >= 0
                && rightPadding(input.dim(3), weight.dim(3), output.dim(3), spec.strideW(), spec.padW()) >= 0;
    }

    @Override
    public void close() {
        primitives.values().forEach(TunedConvolution::close);
        primitives.clear();
        choices.clear();
        partialGradients.clear();
        arena.close();
    }

    /**
     * Part {@code part} ({@code samples} of the batch) of the convolution of these whole-batch shapes. Looked up by the
     * whole-batch shapes and the part number, which fix the part's own shapes, so a lookup creates no shapes.
     */
    private TunedConvolution get(DnnlConvolution.Direction direction, Shape wholeInput, Shape weight, Shape wholeOutput, Conv2dSpec spec,
                                 boolean bias, int part, int samples) {
        Key key = new Key(direction, wholeInput, weight, spec, bias, part);
        TunedConvolution existing = primitives.get(key);
        return existing != null ? existing : primitives.computeIfAbsent(key, created -> {
            TunedConvolution.Choice choice = choices.computeIfAbsent(new Key(direction, wholeInput, weight, spec, bias, 0),
                    whole -> new TunedConvolution.Choice());
            Shape input = batch(wholeInput, samples), output = batch(wholeOutput, samples);
            DnnlConvolution plain = new DnnlConvolution(engine, direction, input, weight, output, spec, bias, false);
            try {
                return new TunedConvolution(plain, new DnnlConvolution(engine, direction, input, weight, output, spec, bias, true), choice);
            } catch (RuntimeException e) {
                plain.close();
                throw e;
            }
        });
    }

    private static int parts(int batch) {
        return Math.max(1, Math.min(threads(), batch));
    }

    private static int from(int batch, int part, int parts) {
        return (int) ((long) batch * part / parts);
    }

    private static Shape batch(Shape shape, int n) {
        return Shape.of(n, shape.dim(1), shape.dim(2), shape.dim(3));
    }

    /** Samples [from, to) of an NCHW buffer of {@code shape}. */
    private static MemorySegment rows(MemorySegment buffer, Shape shape, int from, int to) {
        long sample = shape.bytes() / shape.dim(0);
        return buffer.asSlice(from * sample, (to - from) * sample);
    }
}
