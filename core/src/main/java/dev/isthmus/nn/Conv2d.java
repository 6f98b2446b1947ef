package dev.isthmus.nn;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code nn.Conv2d(in, out, kernel_size, stride, padding, dilation, bias)}. */
public final class Conv2d implements Layer {
    private final Conv2dSpec spec;
    private final Parameter weight;
    private final Parameter bias;
    private Tensor input;

    /**
     * A convolution with square kernels, its parameters zero until initialised.
     *
     * @param backend     where its parameters live
     * @param inChannels  the input channels
     * @param outChannels the output channels
     * @param kernelSize  the kernel's side
     * @param spec        stride, padding, dilation
     * @param withBias    whether it adds a bias
     */
    public Conv2d(Backend backend, int inChannels, int outChannels, int kernelSize, Conv2dSpec spec, boolean withBias) {
        this.spec = spec;
        int fanIn = inChannels * kernelSize * kernelSize;
        this.weight = new Parameter(backend.zeros(Shape.of(outChannels, inChannels, kernelSize, kernelSize)), fanIn);
        this.bias = withBias ? new Parameter(backend.zeros(Shape.of(outChannels)), fanIn) : null;
    }

    /**
     * Stride 1, the given padding, with bias: the form every model of the lesson uses.
     *
     * @param backend     where its parameters live
     * @param inChannels  the input channels
     * @param outChannels the output channels
     * @param kernelSize  the kernel's side
     * @param padding     the padding on every side
     */
    public Conv2d(Backend backend, int inChannels, int outChannels, int kernelSize, int padding) {
        this(backend, inChannels, outChannels, kernelSize, Conv2dSpec.of(1, padding), true);
    }

    /**
     * The convolution's geometry.
     *
     * @return stride, padding, dilation
     */
    public Conv2dSpec spec() {
        return spec;
    }

    /**
     * The weight [out, in, k, k].
     *
     * @return the weight
     */
    public Parameter weight() {
        return weight;
    }

    @Override
    public Tensor forward(Tensor input, StepScope scope) {
        this.input = input;
        Backend backend = input.backend();
        return scope.track(backend.conv2d(input, weight.value(), bias == null ? null : bias.value(), spec));
    }

    @Override
    public Tensor backward(Tensor gradOutput, StepScope scope) {
        return backward(gradOutput, scope, true);
    }

    @Override
    public Tensor backward(Tensor gradOutput, StepScope scope, boolean inputGradientNeeded) {
        Backend backend = gradOutput.backend();
        weight.setGrad(backend.conv2dBackwardWeight(input, gradOutput, weight.shape(), spec));
        if (bias != null) bias.setGrad(backend.conv2dBackwardBias(gradOutput));
        // The first conv of a network sees the images: their gradient would be a wasted convolution.
        return inputGradientNeeded ? scope.track(backend.conv2dBackwardInput(gradOutput, weight.value(), input.shape(), spec)) : null;
    }

    @Override
    public Shape outputShape(Shape input) {
        return spec.outputShape(input, weight.shape());
    }

    @Override
    public Map<String, Parameter> parameters() {
        Map<String, Parameter> parameters = new LinkedHashMap<>();
        parameters.put("weight", weight);
        if (bias != null) parameters.put("bias", bias);
        return parameters;
    }
}
