package dev.isthmus.bench;

import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.tensor.Shape;

/**
 * One max pooling: input [n, c, h, w], square window and stride, no padding. Pooling does almost
 * no arithmetic, so its useful measure is memory traffic: the least a pass must read and write.
 */
public record PoolShape(int n, int c, int h, int w, int kernel, int stride) {

    public PoolShape {
        if (n <= 0 || c <= 0 || h <= 0 || w <= 0 || kernel <= 0 || stride <= 0) {
            throw new IllegalArgumentException("pool shape: sizes must be positive, got " + this);
        }
    }

    public Pool2dSpec spec() {
        return Pool2dSpec.of(kernel, stride, 0);
    }

    public Shape input() {
        return Shape.of(n, c, h, w);
    }

    public Shape output() {
        return spec().outputShape("max_pool2d", input());
    }

    /** Forward: read the input once, write the output once. */
    public long forwardBytes() {
        return (input().numel() + output().numel()) * Float.BYTES;
    }

    /** Backward: read input, output and output gradient, write the input gradient. */
    public long backwardBytes() {
        return (2 * input().numel() + 2 * output().numel()) * Float.BYTES;
    }
}
