package dev.isthmus.backend;

import dev.isthmus.tensor.Shape;

/**
 * Geometry of a 2-D convolution with PyTorch's semantics (cross-correlation, one group).
 * Output size per axis: {@code floor((H + 2p - d(k-1) - 1) / s) + 1}.
 *
 * @param strideH   vertical stride, at least 1
 * @param strideW   horizontal stride, at least 1
 * @param padH      zero padding above and below
 * @param padW      zero padding left and right
 * @param dilationH vertical dilation, at least 1
 * @param dilationW horizontal dilation, at least 1
 */
public record Conv2dSpec(int strideH, int strideW, int padH, int padW, int dilationH, int dilationW) {

    /** Checks that strides and dilations are positive and padding is not negative. */
    public Conv2dSpec {
        if (strideH <= 0 || strideW <= 0) {
            throw new IllegalArgumentException("conv2d: stride must be positive, got " + strideH + "x" + strideW);
        }
        if (padH < 0 || padW < 0) {
            throw new IllegalArgumentException("conv2d: padding must be zero or positive, got " + padH + "x" + padW);
        }
        if (dilationH <= 0 || dilationW <= 0) {
            throw new IllegalArgumentException("conv2d: dilation must be positive, got " + dilationH + "x" + dilationW);
        }
    }

    /**
     * The same settings on both axes.
     *
     * @param stride   the stride
     * @param padding  the padding
     * @param dilation the dilation
     * @return the spec
     */
    public static Conv2dSpec of(int stride, int padding, int dilation) {
        return new Conv2dSpec(stride, stride, padding, padding, dilation, dilation);
    }

    /**
     * The same stride and padding on both axes, no dilation.
     *
     * @param stride  the stride
     * @param padding the padding
     * @return the spec
     */
    public static Conv2dSpec of(int stride, int padding) {
        return of(stride, padding, 1);
    }

    /**
     * Stride 1, no padding, no dilation: {@code nn.Conv2d}'s defaults.
     *
     * @return the spec
     */
    public static Conv2dSpec defaults() {
        return of(1, 0, 1);
    }

    /**
     * Validates input [N, C, H, W] against weight [K, C, R, S] and returns the output shape [N, K, P, Q].
     *
     * @param input  the input's shape
     * @param weight the weight's shape
     * @return the output's shape
     * @throws IllegalArgumentException naming the op, the argument and the shapes
     */
    public Shape outputShape(Shape input, Shape weight) {
        if (input.rank() != 4) {
            throw new IllegalArgumentException("conv2d: input must be 4-D [N, C, H, W], got " + input);
        }
        if (weight.rank() != 4) {
            throw new IllegalArgumentException("conv2d: weight must be 4-D [out, in, kH, kW], got " + weight);
        }
        if (input.dim(1) != weight.dim(1)) {
            throw new IllegalArgumentException("conv2d: input has " + input.dim(1) + " channels but weight " + weight
                    + " expects " + weight.dim(1) + " (input " + input + ")");
        }
        int p = outputSize("height", input.dim(2), weight.dim(2), padH, strideH, dilationH, input, weight);
        int q = outputSize("width", input.dim(3), weight.dim(3), padW, strideW, dilationW, input, weight);
        return Shape.of(input.dim(0), weight.dim(0), p, q);
    }

    private static int outputSize(String axis, int size, int kernel, int pad, int stride, int dilation, Shape input, Shape weight) {
        int effectiveKernel = dilation * (kernel - 1) + 1;
        int padded = size + 2 * pad;
        if (kernel <= 0 || effectiveKernel > padded) {
            throw new IllegalArgumentException("conv2d: kernel " + axis + " " + kernel + " (dilation " + dilation
                    + ", effective " + effectiveKernel + ") is larger than the padded input " + axis + " " + padded
                    + " (input " + input + ", weight " + weight + ", padding " + pad + ")");
        }
        return (padded - effectiveKernel) / stride + 1;
    }
}
