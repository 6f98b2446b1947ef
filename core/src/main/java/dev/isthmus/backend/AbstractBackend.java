package dev.isthmus.backend;

import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The one front of every op, shared by all backends: it checks the arguments (same message on every
 * backend), works out the result's shape, allocates the result, frees it again if the computation
 * fails, and hands only the arithmetic to the backend's {@code compute…} hook ({@link BackendHooks}).
 * The op methods are final, so no backend can drift from another in what it accepts.
 * <p>
 * A new backend extends this class (or a backend that already does, overriding some hooks) and
 * implements {@link #checkUsable}, {@link #allocate}, the memory hooks and one hook per op.
 */
public abstract class AbstractBackend extends BackendHooks {

    /** For subclasses. */
    protected AbstractBackend() {
    }

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

    /** Uploads straight from the array (a heap segment), with no intermediate copy. */
    @Override
    public final Tensor fromArray(Shape shape, float... values) {
        if (values.length != shape.numel()) {
            throw new IllegalArgumentException("fromArray: " + values.length + " values do not fill shape " + shape);
        }
        return fromHost(shape, MemorySegment.ofArray(values));
    }

    /** Downloads straight into a new array (a heap segment), with no intermediate copy. */
    @Override
    public final float[] toArray(Tensor tensor) {
        float[] values = new float[Math.toIntExact(tensor.numel())];
        toHost(tensor, MemorySegment.ofArray(values));
        return values;
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

    // ================================================================ ops: check, allocate, compute

    @Override
    public final Tensor conv2d(Tensor input, Tensor weight, Tensor bias, Conv2dSpec spec) {
        checkUsable("conv2d");
        Shape outputShape = ConvolutionChecks.forward(this, input, weight, bias, spec);
        return produce(outputShape, false, y -> computeConv2d(input, weight, bias, spec, y));
    }

    @Override
    public final Tensor conv2dBackwardInput(Tensor gradOutput, Tensor weight, Shape inputShape, Conv2dSpec spec) {
        String op = "conv2dBackwardInput";
        checkUsable(op);
        Shape outputShape = ConvolutionChecks.backward(this, op, "gradOutput", gradOutput, "weight", weight, inputShape, spec);
        return produce(inputShape, outputShape.numel() == 0, dx -> computeConv2dBackwardInput(gradOutput, weight, spec, dx));
    }

    @Override
    public final Tensor conv2dBackwardWeight(Tensor input, Tensor gradOutput, Shape weightShape, Conv2dSpec spec) {
        String op = "conv2dBackwardWeight";
        checkUsable(op);
        Shape outputShape = ConvolutionChecks.backward(this, op, "input", input, "gradOutput", gradOutput, weightShape, spec);
        return produce(weightShape, outputShape.numel() == 0, dw -> computeConv2dBackwardWeight(input, gradOutput, spec, dw));
    }

    @Override
    public final Tensor conv2dBackwardBias(Tensor gradOutput) {
        checkUsable("conv2dBackwardBias");
        ConvolutionChecks.biasGradient(this, "conv2dBackwardBias", gradOutput, 4, "[N, K, P, Q]");
        return biasGradient(gradOutput);
    }

    @Override
    public final Tensor linearBackwardBias(Tensor gradOutput) {
        checkUsable("linearBackwardBias");
        ConvolutionChecks.biasGradient(this, "linearBackwardBias", gradOutput, 2, "[N, out]");
        return biasGradient(gradOutput);
    }

    private Tensor biasGradient(Tensor gradOutput) {
        return produce(Shape.of(gradOutput.shape().dim(1)), gradOutput.numel() == 0, db -> computeBiasGradient(gradOutput, db));
    }

    @Override
    public final Tensor maxPool2d(Tensor input, Pool2dSpec spec) {
        checkUsable("maxPool2d");
        Shape outputShape = ConvolutionChecks.poolForward(this, "maxPool2d", input, spec);
        return produce(outputShape, false, y -> computeMaxPool2d(input, spec, y));
    }

    @Override
    public final Tensor maxPool2dBackward(Tensor input, Tensor output, Tensor gradOutput, Pool2dSpec spec) {
        checkUsable("maxPool2dBackward");
        Shape outputShape = ConvolutionChecks.poolBackward(this, "maxPool2dBackward", input, output, gradOutput, spec);
        return produce(input.shape(), outputShape.numel() == 0, dx -> computeMaxPool2dBackward(input, output, gradOutput, spec, dx));
    }

    @Override
    public final Tensor avgPool2d(Tensor input, Pool2dSpec spec) {
        checkUsable("avgPool2d");
        Shape outputShape = ConvolutionChecks.poolForward(this, "avgPool2d", input, spec);
        return produce(outputShape, false, y -> computeAvgPool2d(input, spec, y));
    }

    @Override
    public final Tensor avgPool2dBackward(Tensor input, Tensor gradOutput, Pool2dSpec spec) {
        checkUsable("avgPool2dBackward");
        Shape outputShape = ConvolutionChecks.poolBackward(this, "avgPool2dBackward", input, null, gradOutput, spec);
        return produce(input.shape(), outputShape.numel() == 0, dx -> computeAvgPool2dBackward(input, gradOutput, spec, dx));
    }

    @Override
    public final Tensor relu(Tensor input) {
        checkUsable("relu");
        live("relu", "input", input);
        return produce(input.shape(), false, y -> computeRelu(input, y));
    }

    @Override
    public final Tensor reluBackward(Tensor output, Tensor gradOutput) {
        checkUsable("reluBackward");
        DenseChecks.pair(this, "reluBackward", "output", output, "gradOutput", gradOutput);
        return produce(output.shape(), false, dx -> computeReluBackward(output, gradOutput, dx));
    }

    @Override
    public final Tensor add(Tensor a, Tensor b) {
        checkUsable("add");
        DenseChecks.pair(this, "add", "a", a, "b", b);
        return produce(a.shape(), false, sum -> computeAdd(a, b, sum));
    }

    @Override
    public final Tensor linear(Tensor input, Tensor weight, Tensor bias) {
        checkUsable("linear");
        Shape outputShape = DenseChecks.linear(this, input, weight, bias);
        return produce(outputShape, false, y -> computeLinear(input, weight, bias, y));
    }

    @Override
    public final Tensor linearBackwardInput(Tensor gradOutput, Tensor weight) {
        checkUsable("linearBackwardInput");
        Shape gradShape = DenseChecks.linearBackwardInput(this, gradOutput, weight);
        return produce(gradShape, weight.shape().dim(0) == 0, dx -> computeLinearBackwardInput(gradOutput, weight, dx));
    }

    @Override
    public final Tensor linearBackwardWeight(Tensor input, Tensor gradOutput) {
        checkUsable("linearBackwardWeight");
        Shape gradShape = DenseChecks.linearBackwardWeight(this, input, gradOutput);
        return produce(gradShape, input.shape().dim(0) == 0, dw -> computeLinearBackwardWeight(input, gradOutput, dw));
    }

    @Override
    public final CrossEntropy softmaxCrossEntropy(Tensor logits, int[] labels) {
        checkUsable("softmaxCrossEntropy");
        DenseChecks.crossEntropy(this, logits, labels);
        float[] loss = new float[1];
        Tensor grad = produce(logits.shape(), false, g -> loss[0] = computeSoftmaxCrossEntropy(logits, labels, g));
        return new CrossEntropy(loss[0], grad);
    }

    @Override
    public final Tensor concatChannels(List<Tensor> inputs) {
        checkUsable("concatChannels");
        Shape outputShape = DenseChecks.concat(this, inputs);
        List<Tensor> parts = List.copyOf(inputs);
        return produce(outputShape, false, out -> computeConcatChannels(parts, out));
    }

    @Override
    public final List<Tensor> splitChannels(Tensor input, int[] channels) {
        checkUsable("splitChannels");
        DenseChecks.split(this, input, channels);
        Shape s = input.shape();
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
    public final void sgdMomentumStep(Tensor param, Tensor grad, Tensor momentumBuffer, float lr, float momentum, float weightDecay) {
        checkUsable("sgdMomentumStep");
        DenseChecks.sgd(this, param, grad, momentumBuffer);
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
