package dev.isthmus.backend;

import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import static dev.isthmus.backend.OpArguments.gradOutput;
import static dev.isthmus.backend.OpArguments.live;
import static dev.isthmus.backend.OpArguments.rank;
import static dev.isthmus.backend.OpArguments.withOp;

/** The argument checks and result shapes of the convolution and pooling ops, for {@link AbstractBackend}. */
final class ConvolutionChecks {
    private ConvolutionChecks() {
    }

    /** conv2d: returns the output shape [N, K, P, Q]. */
    static Shape forward(Backend backend, Tensor input, Tensor weight, Tensor bias, Conv2dSpec spec) {
        String op = "conv2d";
        live(backend, op, "input", input);
        live(backend, op, "weight", weight);
        if (bias != null) live(backend, op, "bias", bias);
        OpArguments.spec(op, spec);
        Shape outputShape = spec.outputShape(input.shape(), weight.shape());
        OpArguments.bias(op, bias, weight, weight.shape().dim(0), "output channels");
        return outputShape;
    }

    /**
     * The checks both convolution gradients share: {@code given} is the input's shape when the second
     * tensor is the weight, else the weight's. Returns the forward output's shape.
     */
    static Shape backward(Backend backend, String op, String firstName, Tensor first, String secondName, Tensor second, Shape given,
                          Conv2dSpec spec) {
        live(backend, op, firstName, first);
        live(backend, op, secondName, second);
        OpArguments.shape(backend, op, given);
        OpArguments.spec(op, spec);
        boolean givenIsInput = secondName.equals("weight");
        Shape inputShape = givenIsInput ? given : first.shape();
        Shape weightShape = givenIsInput ? second.shape() : given;
        Tensor gradOutput = givenIsInput ? first : second;
        Shape outputShape = withOp(op, () -> spec.outputShape(inputShape, weightShape));
        gradOutput(op, gradOutput, outputShape, "input " + inputShape + " and weight " + weightShape);
        return outputShape;
    }

    /** A bias gradient's argument: [N, K, P, Q] for conv2d, [N, out] for linear. */
    static void biasGradient(Backend backend, String op, Tensor gradOutput, int rank, String layout) {
        live(backend, op, "gradOutput", gradOutput);
        rank(op, "gradOutput", gradOutput, rank, layout);
    }

    /** maxPool2d, avgPool2d: returns the output shape [N, C, P, Q]. */
    static Shape poolForward(Backend backend, String op, Tensor input, Pool2dSpec spec) {
        live(backend, op, "input", input);
        OpArguments.spec(op, spec);
        return spec.outputShape(op, input.shape());
    }

    /** maxPool2dBackward ({@code output} given) and avgPool2dBackward ({@code output} null): returns the forward output's shape. */
    static Shape poolBackward(Backend backend, String op, Tensor input, Tensor output, Tensor gradOutput, Pool2dSpec spec) {
        live(backend, op, "input", input);
        if (output != null) live(backend, op, "output", output);
        live(backend, op, "gradOutput", gradOutput);
        OpArguments.spec(op, spec);
        Shape outputShape = spec.outputShape(op, input.shape());
        if (output != null && !output.shape().equals(outputShape)) {
            throw new IllegalArgumentException(op + ": output has shape " + output.shape() + " but pooling input " + input.shape()
                    + " gives " + outputShape + "; pass the forward pass's output");
        }
        gradOutput(op, gradOutput, outputShape, "input " + input.shape());
        return outputShape;
    }
}
