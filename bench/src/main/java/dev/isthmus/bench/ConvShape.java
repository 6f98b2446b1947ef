package dev.isthmus.bench;

import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.tensor.Shape;

/**
 * One 2-D convolution: input [n, c, h, w], weight [k, c, r, s], square stride and padding.
 * Forward, backward-data and backward-filter each do one multiply-add per (n, k, c, r, s, p, q),
 * so each costs {@code 2·N·K·C·R·S·P·Q} floating-point operations.
 */
public record ConvShape(int n, int c, int h, int w, int k, int r, int s, int stride, int padding) {

    public ConvShape {
        if (n <= 0 || c <= 0 || h <= 0 || w <= 0 || k <= 0 || r <= 0 || s <= 0 || stride <= 0 || padding < 0) {
            throw new IllegalArgumentException("conv shape: sizes must be positive, got " + this);
        }
    }

    /** A square-kernel, stride-1 convolution: the form every layer of the lesson's models has. */
    public static ConvShape of(int n, int c, int size, int k, int kernel, int padding) {
        return new ConvShape(n, c, size, size, k, kernel, kernel, 1, padding);
    }

    public ConvShape withBatch(int batch) {
        return new ConvShape(batch, c, h, w, k, r, s, stride, padding);
    }

    public Conv2dSpec spec() {
        return Conv2dSpec.of(stride, padding);
    }

    public Shape input() {
        return Shape.of(n, c, h, w);
    }

    public Shape weight() {
        return Shape.of(k, c, r, s);
    }

    public Shape output() {
        return spec().outputShape(input(), weight());
    }

    /** Floating-point operations of the forward pass: 2·N·K·C·R·S·P·Q (a multiply and an add per term). */
    public long flops() {
        Shape out = output();
        return 2L * n * k * c * r * s * out.dim(2) * out.dim(3);
    }
}
