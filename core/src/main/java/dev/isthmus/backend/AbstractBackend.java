package dev.isthmus.backend;

import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;

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

    /** Average pooling with the whole image as the window: the average-pooling hooks compute it. */
    @Override
    public final Tensor globalAvgPool2d(Tensor input) {
        checkUsable("globalAvgPool2d");
        Pool2dSpec window = ConvolutionChecks.globalPool(this, "globalAvgPool2d", input);
        Shape s = input.shape();
        return produce(Shape.of(s.dim(0), s.dim(1), 1, 1), false, y -> computeAvgPool2d(input, window, y));
    }

    @Override
    public final Tensor globalAvgPool2dBackward(Tensor input, Tensor gradOutput) {
        checkUsable("globalAvgPool2dBackward");
        Pool2dSpec window = ConvolutionChecks.globalPoolBackward(this, "globalAvgPool2dBackward", input, gradOutput);
        return produce(input.shape(), false, dx -> computeAvgPool2dBackward(input, gradOutput, window, dx));
    }

    @Override
    public final BatchNormOutput batchNorm2dTraining(Tensor input, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                                                     double momentum, double eps) {
        String op = "batchNorm2dTraining";
        checkUsable(op);
        NormalizationChecks.forward(this, op, input, weight, bias, runningMean, runningVar, eps);
        NormalizationChecks.training(op, input, momentum);
        Shape channels = weight.shape();
        List<Tensor> r = produceAll(List.of(input.shape(), channels, channels), input.numel() > 0,
                t -> computeBatchNorm2dTraining(input, weight, bias, runningMean, runningVar, momentum, eps, t.get(0), t.get(1), t.get(2)));
        return new BatchNormOutput(r.get(0), r.get(1), r.get(2));
    }

    @Override
    public final Tensor batchNorm2dInference(Tensor input, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, double eps) {
        String op = "batchNorm2dInference";
        checkUsable(op);
        NormalizationChecks.forward(this, op, input, weight, bias, runningMean, runningVar, eps);
        return produce(input.shape(), false, y -> computeBatchNorm2dInference(input, weight, bias, runningMean, runningVar, eps, y));
    }

    @Override
    public final BatchNormGradients batchNorm2dBackward(Tensor input, Tensor gradOutput, Tensor weight, Tensor savedMean, Tensor savedInvStd,
                                                        double eps) {
        String op = "batchNorm2dBackward";
        checkUsable(op);
        NormalizationChecks.backward(this, op, input, gradOutput, weight, savedMean, savedInvStd, eps);
        Shape channels = weight.shape();
        List<Tensor> r = produceAll(List.of(input.shape(), channels, channels), input.numel() > 0,
                t -> computeBatchNorm2dBackward(input, gradOutput, weight, savedMean, savedInvStd, eps, t.get(0), t.get(1), t.get(2)));
        return new BatchNormGradients(r.get(0), r.get(1), r.get(2));
    }

    @Override
    public final Tensor relu(Tensor input) {
        return activation("relu", input, this::computeRelu);
    }

    @Override
    public final Tensor reluBackward(Tensor output, Tensor gradOutput) {
        return activationBackward("reluBackward", output, gradOutput, this::computeReluBackward);
    }

    @Override
    public final Tensor sigmoid(Tensor input) {
        return activation("sigmoid", input, this::computeSigmoid);
    }

    @Override
    public final Tensor sigmoidBackward(Tensor output, Tensor gradOutput) {
        return activationBackward("sigmoidBackward", output, gradOutput, this::computeSigmoidBackward);
    }

    /** An elementwise function's front: any live input, a result of its shape. */
    private Tensor activation(String op, Tensor input, BiConsumer<Tensor, Tensor> hook) {
        checkUsable(op);
        live(op, "input", input);
        return produce(input.shape(), false, y -> hook.accept(input, y));
    }

    /** The hook of a gradient computed from the forward output alone. */
    @FunctionalInterface
    private interface FromOutput {
        void compute(Tensor output, Tensor gradOutput, Tensor gradInput);
    }

    /** The front of an elementwise function's gradient from its output: output and gradOutput of one shape. */
    private Tensor activationBackward(String op, Tensor output, Tensor gradOutput, FromOutput hook) {
        checkUsable(op);
        DenseChecks.pair(this, op, "output", output, "gradOutput", gradOutput);
        return produce(output.shape(), false, dx -> hook.compute(output, gradOutput, dx));
    }

    @Override
    public final Tensor add(Tensor a, Tensor b) {
        checkUsable("add");
        DenseChecks.pair(this, "add", "a", a, "b", b);
        return produce(a.shape(), false, sum -> computeAdd(a, b, sum));
    }

    @Override
    public final Tensor multiply(Tensor a, Tensor b) {
        checkUsable("multiply");
        DenseChecks.pair(this, "multiply", "a", a, "b", b);
        return produce(a.shape(), false, product -> computeMultiply(a, b, product));
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
        List<Shape> shapes = Arrays.stream(channels).mapToObj(c -> Shape.of(s.dim(0), c, s.dim(2), s.dim(3))).toList();
        return produceAll(shapes, input.numel() > 0, parts -> computeSplitChannels(input, parts));
    }

    @Override
    public final void sgdMomentumStep(Tensor param, Tensor grad, Tensor momentumBuffer, float lr, float momentum, float weightDecay,
                                      boolean nesterov) {
        checkUsable("sgdMomentumStep");
        DenseChecks.sgd(this, param, grad, momentumBuffer);
        if (param.numel() > 0) computeSgdMomentumStep(param, grad, momentumBuffer, lr, momentum, weightDecay, nesterov);
    }

    @Override
    public final void adamStep(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, AdamStep step) {
        checkUsable("adamStep");
        DenseChecks.adam(this, param, grad, expAvg, expAvgSq, step);
        if (param.numel() > 0) computeAdamStep(param, grad, expAvg, expAvgSq, step);
    }

    @Override
    public final float sumOfSquares(Tensor tensor) {
        checkUsable("sumOfSquares");
        live("sumOfSquares", "tensor", tensor);
        return tensor.numel() > 0 ? computeSumOfSquares(tensor) : 0f;
    }

    @Override
    public final void scaleInPlace(Tensor tensor, float factor) {
        checkUsable("scaleInPlace");
        live("scaleInPlace", "tensor", tensor);
        if (!Float.isFinite(factor)) {
            throw new IllegalArgumentException("scaleInPlace: factor " + factor + " is not finite; pass a finite scale");
        }
        if (tensor.numel() > 0) computeScaleInPlace(tensor, factor);
    }
}
