package dev.isthmus.backend.vector;

import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.tensor.Shape;

/**
 * Every size of one validated convolution: input [n, c, h, w], weight [k, c, r, s], output [n, k, p, q].
 * The column matrix of one sample has {@code c·r·s} rows and {@code p·q} columns, stored with its rows
 * padded to {@link #paddedPlane()} floats so the vector loops need no tail.
 */
record ConvSizes(int n, int c, int h, int w, int k, int r, int s, int p, int q,
                 int strideH, int strideW, int padH, int padW, int dilationH, int dilationW) {

    /** The sizes of a convolution whose shapes the backend has already checked. */
    static ConvSizes of(Shape input, Shape weight, Shape output, Conv2dSpec spec) {
        return new ConvSizes(input.dim(0), input.dim(1), input.dim(2), input.dim(3),
                weight.dim(0), weight.dim(2), weight.dim(3), output.dim(2), output.dim(3),
                spec.strideH(), spec.strideW(), spec.padH(), spec.padW(), spec.dilationH(), spec.dilationW());
    }

    int columnRows() {
        return c * r * s;
    }

    int plane() {
        return p * q;
    }

    int paddedPlane() {
        return VectorGemm.padded(plane());
    }

    int inputSample() {
        return c * h * w;
    }
}
