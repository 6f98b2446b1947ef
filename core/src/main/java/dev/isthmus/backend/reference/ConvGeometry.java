package dev.isthmus.backend.reference;

import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.tensor.Shape;

/**
 * Every size of one convolution: input [n, c, h, w], weight [k, c, r, s], output [n, k, p, q].
 * The im2col matrix of one sample has {@code c·r·s} rows (one per weight element) and {@code p·q}
 * columns (one per output position).
 */
record ConvGeometry(int n, int c, int h, int w, int k, int r, int s, int p, int q,
                    int strideH, int strideW, int padH, int padW, int dilationH, int dilationW) {

    /** Sizes of a validated convolution: {@code output} is what {@link Conv2dSpec#outputShape} returned. */
    static ConvGeometry of(Shape input, Shape weight, Shape output, Conv2dSpec spec) {
        return new ConvGeometry(input.dim(0), input.dim(1), input.dim(2), input.dim(3),
                weight.dim(0), weight.dim(2), weight.dim(3), output.dim(2), output.dim(3),
                spec.strideH(), spec.strideW(), spec.padH(), spec.padW(), spec.dilationH(), spec.dilationW());
    }

    /** Rows of the im2col matrix: one per weight element of one output channel. */
    int columnRows() {
        return c * r * s;
    }

    /** Output positions per channel: columns of the im2col matrix. */
    int outputPlane() {
        return p * q;
    }

    int inputSample() {
        return c * h * w;
    }

    int outputSample() {
        return k * p * q;
    }
}
