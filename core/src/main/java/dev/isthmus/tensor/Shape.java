package dev.isthmus.tensor;

import java.util.Arrays;

/** An immutable tensor shape, outermost dimension first (NCHW for images). */
public final class Shape {
    private final int[] dims;

    private Shape(int[] dims) {
        this.dims = dims;
    }

    public static Shape of(int... dims) {
        for (int d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("shape " + Arrays.toString(dims) + " has a negative dimension");
            }
        }
        return new Shape(dims.clone());
    }

    public int rank() {
        return dims.length;
    }

    public int dim(int axis) {
        return dims[axis < 0 ? dims.length + axis : axis];
    }

    public int[] dims() {
        return dims.clone();
    }

    /** Number of elements. */
    public long numel() {
        long n = 1;
        for (int d : dims) n *= d;
        return n;
    }

    public long bytes() {
        return numel() * Float.BYTES;
    }

    /** The lesson prints shapes PyTorch's way: {@code torch.Size([1, 10, 98, 98])}. */
    public String toTorchString() {
        return "torch.Size(" + this + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
