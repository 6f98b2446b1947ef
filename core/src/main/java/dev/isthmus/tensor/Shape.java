package dev.isthmus.tensor;

import java.util.Arrays;

/** An immutable tensor shape, outermost dimension first (NCHW for images). */
public final class Shape {
    private final int[] dims;

    private Shape(int[] dims) {
        this.dims = dims;
    }

    /**
     * A shape of the given dimensions.
     *
     * @param dims the dimensions, outermost first; none negative
     * @return the shape
     */
    public static Shape of(int... dims) {
        for (int d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("shape " + Arrays.toString(dims) + " has a negative dimension");
            }
        }
        return new Shape(dims.clone());
    }

    /**
     * The number of dimensions.
     *
     * @return the rank
     */
    public int rank() {
        return dims.length;
    }

    /**
     * One dimension.
     *
     * @param axis its index; negative counts from the end, as in PyTorch
     * @return its size
     */
    public int dim(int axis) {
        return dims[axis < 0 ? dims.length + axis : axis];
    }

    /**
     * All dimensions.
     *
     * @return a copy of the dimensions, outermost first
     */
    public int[] dims() {
        return dims.clone();
    }

    /**
     * Number of elements.
     *
     * @return the product of the dimensions
     */
    public long numel() {
        long n = 1;
        for (int d : dims) n *= d;
        return n;
    }

    /**
     * Size of a float32 tensor of this shape.
     *
     * @return the number of bytes
     */
    public long bytes() {
        return numel() * Float.BYTES;
    }

    /**
     * The lesson prints shapes PyTorch's way: {@code torch.Size([1, 10, 98, 98])}.
     *
     * @return the shape as PyTorch prints it
     */
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
