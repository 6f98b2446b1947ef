package dev.isthmus.checkpoint;

import dev.isthmus.tensor.Shape;

import java.util.Arrays;

/**
 * A float32 tensor in host memory, row-major: what a checkpoint stores and returns. Equality is by
 * shape and exact bit pattern of the values (so NaN payloads and -0.0 count).
 *
 * @param shape  the shape
 * @param values {@code shape.numel()} values, row-major (Java heap, no native memory)
 */
public record HostTensor(Shape shape, float[] values) {
    /** Checks that the values fill the shape. */
    public HostTensor {
        if (shape.numel() != values.length) {
            throw new IllegalArgumentException("shape " + shape + " holds " + shape.numel() + " values, not " + values.length);
        }
    }

    /**
     * A host tensor of the given values.
     *
     * @param shape  the shape
     * @param values its values, row-major
     * @return the tensor
     */
    public static HostTensor of(Shape shape, float... values) {
        return new HostTensor(shape, values);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof HostTensor(Shape otherShape, float[] otherValues)) || !shape.equals(otherShape)) return false;
        for (int i = 0; i < values.length; i++) {
            if (Float.floatToRawIntBits(values[i]) != Float.floatToRawIntBits(otherValues[i])) return false;
        }
        return true;
    }

    @Override
    public int hashCode() {
        return 31 * shape.hashCode() + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "HostTensor" + shape;
    }
}
