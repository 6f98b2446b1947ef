package dev.isthmus.backend;

import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import static dev.isthmus.backend.OpArguments.gradOutput;
import static dev.isthmus.backend.OpArguments.rank;
import static dev.isthmus.backend.OpArguments.sameShape;
import static dev.isthmus.backend.OpArguments.withOp;

/**
 * The one front of every op, shared by all backends: it checks the arguments (same message on every
 * backend), works out the result's shape, allocates the result, frees it again if the computation
 * fails, and hands only the arithmetic to the backend's {@code compute…} hook.
 * <p>
 * A hook receives live, validated tensors of this backend and a freshly allocated result of the
 * right shape, which it must fill completely. It is never called for an empty result; when the
 * result is not empty but the sum that forms it has no terms (an empty batch, zero output channels)
 * the front fills the result with zeros through {@link #computeZeros} instead.
 * <p>
 * A new backend extends this class (or a backend that already does, overriding some hooks) and
 * implements {@link #checkUsable}, {@link #allocate}, the memory hooks and one hook per op.
 */
public abstract class AbstractBackend implements Backend {

    /** For subclasses. */
    protected AbstractBackend() {
    }

    // ================================================================ hooks every backend implements

    /**
     * Throws {@link IllegalStateException} when this backend may not be used now (closed, wrong thread).
     *
     * @param op the method that was called, for the message
     */
    protected abstract void checkUsable(String op);

    /**
     * A new tensor of {@code shape} whose contents are undefined; the caller fills it.
     *
     * @param shape the tensor's shape, already checked
     * @return a tensor of this backend
     */
    protected abstract Tensor allocate(Shape shape);

    /** Sets every element of {@code target} to zero; {@code target} is not empty. */
    protected abstract void computeZeros(Tensor target);

    /** Copies {@code target}'s byte size from host memory into {@code target}; not empty. */
    protected abstract void computeFromHost(MemorySegment host, Tensor target);

    /** Copies {@code source} into host memory; not empty. */
    protected abstract void computeToHost(Tensor source, MemorySegment host);

    /** Copies {@code source} into {@code target}, of equal byte size; not empty. */
    protected abstract void computeCopy(Tensor source, Tensor target);

    /** Convolution forward into {@code output}; {@code bias} may be null. */
    protected abstract void computeConv2d(Tensor input, Tensor weight, Tensor bias, Conv2dSpec spec, Tensor output);

    /** Convolution gradient with respect to the input, into {@code gradInput}. */
    protected abstract void computeConv2dBackwardInput(Tensor gradOutput, Tensor weight, Conv2dSpec spec, Tensor gradInput);

    /** Convolution gradient with respect to the weight, into {@code gradWeight}. */
    protected abstract void computeConv2dBackwardWeight(Tensor input, Tensor gradOutput, Conv2dSpec spec, Tensor gradWeight);

    /** {@code gradOutput} [N, K, P, Q] (or [N, K]) summed over all axes but K, into {@code gradBias} [K]. */
    protected abstract void computeBiasGradient(Tensor gradOutput, Tensor gradBias);

    /** Max pooling forward into {@code output}. */
    protected abstract void computeMaxPool2d(Tensor input, Pool2dSpec spec, Tensor output);

    /** Max pooling backward into {@code gradInput}. */
    protected abstract void computeMaxPool2dBackward(Tensor input, Tensor output, Tensor gradOutput, Pool2dSpec spec, Tensor gradInput);

    /** Average pooling forward into {@code output}. */
    protected abstract void computeAvgPool2d(Tensor input, Pool2dSpec spec, Tensor output);

    /** Average pooling backward into {@code gradInput}. */
    protected abstract void computeAvgPool2dBackward(Tensor input, Tensor gradOutput, Pool2dSpec spec, Tensor gradInput);

    /** ReLU forward into {@code output}. */
    protected abstract void computeRelu(Tensor input, Tensor output);

    /** ReLU backward into {@code gradInput}. */
    protected abstract void computeReluBackward(Tensor output, Tensor gradOutput, Tensor gradInput);

    /** {@code input·weightᵀ (+ bias)} into {@code output}; {@code in} may be zero (the result is then the bias or zeros). */
    protected abstract void computeLinear(Tensor input, Tensor weight, Tensor bias, Tensor output);

    /** {@code gradOutput·weight} into {@code gradInput}. */
    protected abstract void computeLinearBackwardInput(Tensor gradOutput, Tensor weight, Tensor gradInput);

    /** {@code gradOutputᵀ·input} into {@code gradWeight}. */
    protected abstract void computeLinearBackwardWeight(Tensor input, Tensor gradOutput, Tensor gradWeight);

    /**
     * Mean cross-entropy of validated logits [N ≥ 1, classes ≥ 1] and labels; writes the gradient.
     *
     * @return the loss
     */
    protected abstract float computeSoftmaxCrossEntropy(Tensor logits, int[] labels, Tensor gradLogits);

    /** Places the inputs one after another along the channels of {@code output}. */
    protected abstract void computeConcatChannels(List<Tensor> inputs, Tensor output);

    /** Fills each part with its block of channels of {@code input}, in order. */
    protected abstract void computeSplitChannels(Tensor input, List<Tensor> parts);

    /** Elementwise {@code a + b} into {@code sum}. */
    protected abstract void computeAdd(Tensor a, Tensor b, Tensor sum);

    /** The in-place SGD update of {@link #sgdMomentumStep}; the tensors are not empty. */
    protected abstract void computeSgdMomentumStep(Tensor param, Tensor grad, Tensor momentumBuffer, float lr, float momentum, float weightDecay);

    // ================================================================ memory

    @Override
    public final Tensor zeros(Shape shape) {
        checkUsable("zeros");
        OpArguments.shape(this, "zeros", shape);
        return produce(shape, true, t -> { });
    }

    @Override
    public final Tensor fromHost(Shape shape, MemorySegment host) {
        checkUsable("fromHost");
        OpArguments.shape(this, "fromHost", shape);
        OpArguments.host("fromHost", host, shape);
        return produce(shape, false, t -> computeFromHost(host, t));
    }

    @Override
    public final void toHost(Tensor source, MemorySegment host) {
        checkUsable("toHost");
        live("toHost", "source", source);
        OpArguments.host("toHost", host, source.shape());
        if (source.numel() > 0) computeToHost(source, host);
    }

    @Override
    public final void copy(Tensor source, Tensor target) {
        checkUsable("copy");
        live("copy", "source", source);
        live("copy", "target", target);
        if (source.numel() != target.numel()) {
            throw new IllegalArgumentException("copy: source " + source.shape() + " has " + source.numel() + " elements but target "
                    + target.shape() + " has " + target.numel() + "; copy between tensors of equal size");
        }
        if (source.numel() > 0) computeCopy(source, target);
    }

    // ================================================================ convolution

    @Override
    public final Tensor conv2d(Tensor input, Tensor weight, Tensor bias, Conv2dSpec spec) {
        String op = "conv2d";
        checkUsable(op);
        live(op, "input", input);
        live(op, "weight", weight);
        if (bias != null) live(op, "bias", bias);
        OpArguments.spec(op, spec);
        Shape outputShape = spec.outputShape(input.shape(), weight.shape());
        OpArguments.bias(op, bias, weight, weight.shape().dim(0), "output channels");
        return produce(outputShape, false, y -> computeConv2d(input, weight, bias, spec, y));
    }

    @Override
    public final Tensor conv2dBackwardInput(Tensor gradOutput, Tensor weight, Shape inputShape, Conv2dSpec spec) {
        Shape outputShape = convolutionBackward("conv2dBackwardInput", "gradOutput", gradOutput, "weight", weight, inputShape, spec);
        return produce(inputShape, outputShape.numel() == 0, dx -> computeConv2dBackwardInput(gradOutput, weight, spec, dx));
    }

    @Override
    public final Tensor conv2dBackwardWeight(Tensor input, Tensor gradOutput, Shape weightShape, Conv2dSpec spec) {
        Shape outputShape = convolutionBackward("conv2dBackwardWeight", "input", input, "gradOutput", gradOutput, weightShape, spec);
        return produce(weightShape, outputShape.numel() == 0, dw -> computeConv2dBackwardWeight(input, gradOutput, spec, dw));
    }

    /**
     * The checks both convolution gradients share: {@code given} is the input's shape when the second
     * tensor is the weight, else the weight's. Returns the forward output's shape.
     */
    private Shape convolutionBackward(String op, String firstName, Tensor first, String secondName, Tensor second, Shape given, Conv2dSpec spec) {
        checkUsable(op);
        live(op, firstName, first);
        live(op, secondName, second);
        OpArguments.shape(this, op, given);
        OpArguments.spec(op, spec);
        boolean givenIsInput = secondName.equals("weight");
        Shape inputShape = givenIsInput ? given : first.shape();
        Shape weightShape = givenIsInput ? second.shape() : given;
        Tensor gradOutput = givenIsInput ? first : second;
        Shape outputShape = withOp(op, () -> spec.outputShape(inputShape, weightShape));
        gradOutput(op, gradOutput, outputShape, "input " + inputShape + " and weight " + weightShape);
        return outputShape;
    }

    @Override
    public final Tensor conv2dBackwardBias(Tensor gradOutput) {
        String op = "conv2dBackwardBias";
        checkUsable(op);
        live(op, "gradOutput", gradOutput);
        rank(op, "gradOutput", gradOutput, 4, "[N, K, P, Q]");
        return biasGradient(gradOutput);
    }

    private Tensor biasGradient(Tensor gradOutput) {
        return produce(Shape.of(gradOutput.shape().dim(1)), gradOutput.numel() == 0, db -> computeBiasGradient(gradOutput, db));
    }

    // ================================================================ pooling

    @Override
    public final Tensor maxPool2d(Tensor input, Pool2dSpec spec) {
        Shape outputShape = poolForward("maxPool2d", input, spec);
        return produce(outputShape, false, y -> computeMaxPool2d(input, spec, y));
    }

    @Override
    public final Tensor maxPool2dBackward(Tensor input, Tensor output, Tensor gradOutput, Pool2dSpec spec) {
        String op = "maxPool2dBackward";
        checkUsable(op);
        live(op, "input", input);
        live(op, "output", output);
        live(op, "gradOutput", gradOutput);
        OpArguments.spec(op, spec);
        Shape outputShape = spec.outputShape(op, input.shape());
        if (!output.shape().equals(outputShape)) {
            throw new IllegalArgumentException(op + ": output has shape " + output.shape() + " but pooling input " + input.shape()
                    + " gives " + outputShape + "; pass the forward pass's output");
        }
        gradOutput(op, gradOutput, outputShape, "input " + input.shape());
        return produce(input.shape(), outputShape.numel() == 0, dx -> computeMaxPool2dBackward(input, output, gradOutput, spec, dx));
    }

    @Override
    public final Tensor avgPool2d(Tensor input, Pool2dSpec spec) {
        Shape outputShape = poolForward("avgPool2d", input, spec);
        return produce(outputShape, false, y -> computeAvgPool2d(input, spec, y));
    }

    @Override
    public final Tensor avgPool2dBackward(Tensor input, Tensor gradOutput, Pool2dSpec spec) {
        String op = "avgPool2dBackward";
        checkUsable(op);
        live(op, "input", input);
        live(op, "gradOutput", gradOutput);
        OpArguments.spec(op, spec);
        Shape outputShape = spec.outputShape(op, input.shape());
        gradOutput(op, gradOutput, outputShape, "input " + input.shape());
        return produce(input.shape(), outputShape.numel() == 0, dx -> computeAvgPool2dBackward(input, gradOutput, spec, dx));
    }

    private Shape poolForward(String op, Tensor input, Pool2dSpec spec) {
        checkUsable(op);
        live(op, "input", input);
        OpArguments.spec(op, spec);
        return spec.outputShape(op, input.shape());
    }

    // ================================================================ activation

    @Override
    public final Tensor relu(Tensor input) {
        checkUsable("relu");
        live("relu", "input", input);
        return produce(input.shape(), false, y -> computeRelu(input, y));
    }

    @Override
    public final Tensor reluBackward(Tensor output, Tensor gradOutput) {
        String op = "reluBackward";
        checkUsable(op);
        live(op, "output", output);
        live(op, "gradOutput", gradOutput);
        sameShape(op, "output", output, "gradOutput", gradOutput);
        return produce(output.shape(), false, dx -> computeReluBackward(output, gradOutput, dx));
    }

    // ================================================================ linear

    @Override
    public final Tensor linear(Tensor input, Tensor weight, Tensor bias) {
        String op = "linear";
        checkUsable(op);
        live(op, "input", input);
        live(op, "weight", weight);
        if (bias != null) live(op, "bias", bias);
        rank(op, "input", input, 2, "[N, in] (flatten images first)");
        rank(op, "weight", weight, 2, "[out, in]");
        int batch = input.shape().dim(0), in = input.shape().dim(1), out = weight.shape().dim(0);
        if (weight.shape().dim(1) != in) {
            throw new IllegalArgumentException(op + ": input " + input.shape() + " has " + in + " features but weight " + weight.shape()
                    + " expects " + weight.shape().dim(1) + "; make the layer's in-features match the input");
        }
        OpArguments.bias(op, bias, weight, out, "outputs");
        return produce(Shape.of(batch, out), false, y -> computeLinear(input, weight, bias, y));
    }

    @Override
    public final Tensor linearBackwardInput(Tensor gradOutput, Tensor weight) {
        String op = "linearBackwardInput";
        checkUsable(op);
        live(op, "gradOutput", gradOutput);
        live(op, "weight", weight);
        rank(op, "gradOutput", gradOutput, 2, "[N, out]");
        rank(op, "weight", weight, 2, "[out, in]");
        int batch = gradOutput.shape().dim(0), out = weight.shape().dim(0), in = weight.shape().dim(1);
        if (gradOutput.shape().dim(1) != out) {
            throw new IllegalArgumentException(op + ": gradOutput " + gradOutput.shape() + " has " + gradOutput.shape().dim(1)
                    + " features but weight " + weight.shape() + " has " + out + " outputs");
        }
        return produce(Shape.of(batch, in), out == 0, dx -> computeLinearBackwardInput(gradOutput, weight, dx));
    }

    @Override
    public final Tensor linearBackwardWeight(Tensor input, Tensor gradOutput) {
        String op = "linearBackwardWeight";
        checkUsable(op);
        live(op, "input", input);
        live(op, "gradOutput", gradOutput);
        rank(op, "input", input, 2, "[N, in]");
        rank(op, "gradOutput", gradOutput, 2, "[N, out]");
        int batch = input.shape().dim(0), in = input.shape().dim(1), out = gradOutput.shape().dim(1);
        if (gradOutput.shape().dim(0) != batch) {
            throw new IllegalArgumentException(op + ": input " + input.shape() + " and gradOutput " + gradOutput.shape()
                    + " have different batch sizes");
        }
        return produce(Shape.of(out, in), batch == 0, dw -> computeLinearBackwardWeight(input, gradOutput, dw));
    }

    @Override
    public final Tensor linearBackwardBias(Tensor gradOutput) {
        String op = "linearBackwardBias";
        checkUsable(op);
        live(op, "gradOutput", gradOutput);
        rank(op, "gradOutput", gradOutput, 2, "[N, out]");
        return biasGradient(gradOutput);
    }

    // ================================================================ loss

    @Override
    public final CrossEntropy softmaxCrossEntropy(Tensor logits, int[] labels) {
        String op = "softmaxCrossEntropy";
        checkUsable(op);
        live(op, "logits", logits);
        rank(op, "logits", logits, 2, "[N, classes]");
        int batch = logits.shape().dim(0), classes = logits.shape().dim(1);
        if (batch == 0 || classes == 0) {
            throw new IllegalArgumentException(op + ": logits " + logits.shape() + " are empty; pass at least one sample and one class");
        }
        if (labels == null || labels.length != batch) {
            throw new IllegalArgumentException(op + ": " + (labels == null ? "labels are null" : labels.length + " labels")
                    + " for logits " + logits.shape() + "; pass one label per sample");
        }
        for (int n = 0; n < batch; n++) {
            if (labels[n] < 0 || labels[n] >= classes) {
                throw new IllegalArgumentException(op + ": label " + labels[n] + " at index " + n + " is outside [0, " + classes
                        + ") for logits " + logits.shape());
            }
        }
        float[] loss = new float[1];
        Tensor grad = produce(logits.shape(), false, g -> loss[0] = computeSoftmaxCrossEntropy(logits, labels, g));
        return new CrossEntropy(loss[0], grad);
    }

    // ================================================================ structure

    @Override
    public final Tensor concatChannels(List<Tensor> inputs) {
        String op = "concatChannels";
        checkUsable(op);
        if (inputs == null || inputs.isEmpty()) {
            throw new IllegalArgumentException(op + ": no inputs; pass at least one [N, C, H, W] tensor");
        }
        Shape first = null;
        int channels = 0;
        for (int i = 0; i < inputs.size(); i++) {
            Tensor t = inputs.get(i);
            live(op, "inputs[" + i + "]", t);
            rank(op, "inputs[" + i + "]", t, 4, "[N, C, H, W]");
            Shape s = t.shape();
            if (first == null) {
                first = s;
            } else if (s.dim(0) != first.dim(0) || s.dim(2) != first.dim(2) || s.dim(3) != first.dim(3)) {
                throw new IllegalArgumentException(op + ": inputs[" + i + "] " + s + " differs from inputs[0] " + first
                        + " in N, H or W; only the channel counts may differ");
            }
            channels += s.dim(1);
        }
        List<Tensor> parts = List.copyOf(inputs);
        return produce(Shape.of(first.dim(0), channels, first.dim(2), first.dim(3)), false, out -> computeConcatChannels(parts, out));
    }

    @Override
    public final List<Tensor> splitChannels(Tensor input, int[] channels) {
        String op = "splitChannels";
        checkUsable(op);
        live(op, "input", input);
        rank(op, "input", input, 4, "[N, C, H, W]");
        Shape s = input.shape();
        if (channels == null || channels.length == 0) {
            throw new IllegalArgumentException(op + ": no channel counts for input " + s + "; pass one count per part");
        }
        long sum = 0;
        for (int c : channels) {
            if (c < 0) {
                throw new IllegalArgumentException(op + ": channel count " + c + " is negative (input " + s + ")");
            }
            sum += c;
        }
        if (sum != s.dim(1)) {
            throw new IllegalArgumentException(op + ": channel counts " + Arrays.toString(channels) + " add up to " + sum
                    + " but input " + s + " has " + s.dim(1) + " channels");
        }
        List<Tensor> parts = new ArrayList<>(channels.length);
        try {
            for (int c : channels) {
                parts.add(allocate(Shape.of(s.dim(0), c, s.dim(2), s.dim(3))));
            }
            if (input.numel() > 0) computeSplitChannels(input, parts);
            return parts;
        } catch (RuntimeException | Error e) {
            parts.forEach(part -> closeQuietly(part, e));
            throw e;
        }
    }

    @Override
    public final Tensor add(Tensor a, Tensor b) {
        checkUsable("add");
        live("add", "a", a);
        live("add", "b", b);
        sameShape("add", "a", a, "b", b);
        return produce(a.shape(), false, sum -> computeAdd(a, b, sum));
    }

    // ================================================================ optimisation

    @Override
    public final void sgdMomentumStep(Tensor param, Tensor grad, Tensor momentumBuffer, float lr, float momentum, float weightDecay) {
        String op = "sgdMomentumStep";
        checkUsable(op);
        live(op, "param", param);
        live(op, "grad", grad);
        live(op, "momentumBuffer", momentumBuffer);
        sameShape(op, "param", param, "grad", grad);
        sameShape(op, "param", param, "momentumBuffer", momentumBuffer);
        if (param.numel() > 0) computeSgdMomentumStep(param, grad, momentumBuffer, lr, momentum, weightDecay);
    }

    // ================================================================ helpers

    private void live(String op, String argument, Tensor tensor) {
        OpArguments.live(this, op, argument, tensor);
    }

    /**
     * A new tensor of {@code shape} filled by {@code hook}, or by zeros when {@code noTerms}; the hook is
     * skipped for an empty result. Freed again if filling fails, so a failed op leaks nothing.
     */
    private Tensor produce(Shape shape, boolean noTerms, Consumer<Tensor> hook) {
        Tensor result = allocate(shape);
        try {
            if (shape.numel() > 0) {
                if (noTerms) {
                    computeZeros(result);
                } else {
                    hook.accept(result);
                }
            }
            return result;
        } catch (RuntimeException | Error e) {
            closeQuietly(result, e);
            throw e;
        }
    }

    private static void closeQuietly(Tensor tensor, Throwable failure) {
        try {
            tensor.close();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }
}
