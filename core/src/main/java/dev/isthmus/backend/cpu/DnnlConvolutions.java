package dev.isthmus.backend.cpu;

import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.tensor.Shape;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The convolution primitives of one backend, one per geometry and direction, created on first use: a
 * network has a handful of distinct convolutions, so after the first step no primitive is created again.
 */
final class DnnlConvolutions implements AutoCloseable {
    private record Key(DnnlConvolution.Direction direction, Shape input, Shape weight, Conv2dSpec spec, boolean bias) {
    }

    private final DnnlEngine engine;
    private final Map<Key, DnnlConvolution> primitives = new ConcurrentHashMap<>();

    DnnlConvolutions(DnnlEngine engine) {
        this.engine = engine;
    }

    DnnlConvolution get(DnnlConvolution.Direction direction, Shape input, Shape weight, Shape output, Conv2dSpec spec, boolean bias) {
        return primitives.computeIfAbsent(new Key(direction, input, weight, spec, bias),
                key -> new DnnlConvolution(engine, direction, input, weight, output, spec, bias));
    }

    /** Which oneDNN kernels serve the geometries seen so far, e.g. for a benchmark report. */
    Map<String, String> implementations() {
        Map<String, String> result = new java.util.TreeMap<>();
        primitives.forEach((key, primitive) -> result.put(key.direction() + " " + key.input() + " * " + key.weight() + " " + key.spec(),
                primitive.implementation()));
        return result;
    }

    /**
     * oneDNN wants the right/bottom padding that makes {@code (size + padL + padR - kernel) / stride + 1} equal the
     * output size exactly, where PyTorch floors; this is that padding (it may be below {@code padL}, even negative).
     */
    static long rightPadding(int size, int kernel, int output, int stride, int padL) {
        return (long) (output - 1) * stride + kernel - size - padL;
    }

    /** True when oneDNN takes this geometry as is: no dilation, and no negative right padding. */
    static boolean supports(Shape input, Shape weight, Shape output, Conv2dSpec spec) {
        return spec.dilationH() == 1 && spec.dilationW() == 1
                && rightPadding(input.dim(2), weight.dim(2), output.dim(2), spec.strideH(), spec.padH()) >= 0
                && rightPadding(input.dim(3), weight.dim(3), output.dim(3), spec.strideW(), spec.padW()) >= 0;
    }

    @Override
    public void close() {
        primitives.values().forEach(DnnlConvolution::close);
        primitives.clear();
    }
}
