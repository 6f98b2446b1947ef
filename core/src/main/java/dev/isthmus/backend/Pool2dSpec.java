package dev.isthmus.backend;

import dev.isthmus.tensor.Shape;

/**
 * Window of a 2-D max or average pooling with PyTorch's semantics (floor mode; average pooling
 * counts padding in the divisor, PyTorch's default {@code count_include_pad=True}).
 *
 * @param kernelH window height
 * @param kernelW window width
 * @param strideH vertical stride
 * @param strideW horizontal stride
 * @param padH    padding above and below, at most half the window
 * @param padW    padding left and right, at most half the window
 */
public record Pool2dSpec(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW) {

    /** Checks that window and strides are positive and padding at most half the window. */
    public Pool2dSpec {
        if (kernelH <= 0 || kernelW <= 0) {
            throw new IllegalArgumentException("pool2d: kernel must be positive, got " + kernelH + "x" + kernelW);
        }
        if (strideH <= 0 || strideW <= 0) {
            throw new IllegalArgumentException("pool2d: stride must be positive, got " + strideH + "x" + strideW);
        }
        if (padH < 0 || padW < 0 || 2 * padH > kernelH || 2 * padW > kernelW) {
            throw new IllegalArgumentException("pool2d: padding must be between 0 and half the kernel, got padding "
                    + padH + "x" + padW + " for kernel " + kernelH + "x" + kernelW);
        }
    }

    /**
     * {@code nn.MaxPool2d(kernel_size=k)}: stride defaults to the kernel, no padding.
     *
     * @param kernel the square window's side
     * @return the spec
     */
    public static Pool2dSpec of(int kernel) {
        return of(kernel, kernel, 0);
    }

    /**
     * A square window with the same stride and padding on both axes.
     *
     * @param kernel  the window's side
     * @param stride  the stride
     * @param padding the padding
     * @return the spec
     */
    public static Pool2dSpec of(int kernel, int stride, int padding) {
        return new Pool2dSpec(kernel, kernel, stride, stride, padding, padding);
    }

    /**
     * Validates input [N, C, H, W] and returns the output shape [N, C, P, Q].
     *
     * @param op    the op, for messages
     * @param input the input's shape
     * @return the output's shape
     */
    public Shape outputShape(String op, Shape input) {
        if (input.rank() != 4) {
            throw new IllegalArgumentException(op + ": input must be 4-D [N, C, H, W], got " + input);
        }
        int paddedH = input.dim(2) + 2 * padH;
        int paddedW = input.dim(3) + 2 * padW;
        if (kernelH > paddedH || kernelW > paddedW) {
            throw new IllegalArgumentException(op + ": kernel " + kernelH + "x" + kernelW + " is larger than the padded input "
                    + paddedH + "x" + paddedW + " (input " + input + ", padding " + padH + "x" + padW + ")");
        }
        return Shape.of(input.dim(0), input.dim(1), (paddedH - kernelH) / strideH + 1, (paddedW - kernelW) / strideW + 1);
    }
}
