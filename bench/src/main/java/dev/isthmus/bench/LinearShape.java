package dev.isthmus.bench;

import dev.isthmus.tensor.Shape;

/**
 * One fully connected layer: input [n, in], weight [out, in]. Forward and each of the two backward
 * products are matrix products of 2·N·in·out floating-point operations.
 */
public record LinearShape(int n, int in, int out) {

    public LinearShape {
        if (n <= 0 || in <= 0 || out <= 0) {
            throw new IllegalArgumentException("linear shape: sizes must be positive, got " + this);
        }
    }

    public LinearShape withBatch(int batch) {
        return new LinearShape(batch, in, out);
    }

    public Shape input() {
        return Shape.of(n, in);
    }

    public Shape weight() {
        return Shape.of(out, in);
    }

    public Shape output() {
        return Shape.of(n, out);
    }

    /** 2·N·in·out: one multiply and one add per weight per sample. */
    public long flops() {
        return 2L * n * in * out;
    }
}
