package dev.isthmus.backend.cuda;

import dev.isthmus.backend.AbstractBackend;
import dev.isthmus.backend.AdamStep;
import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.backend.cuda.Descriptors.PoolingKind;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The CUDA backend's compute hooks, one line each, handing every op to its family:
 * {@link CudaConvolution}, {@link CudaPooling}, {@link CudaElementwise}, {@link CudaLinear},
 * {@link CudaLoss}, {@link CudaCopies}, {@link CudaOptimizer}, {@link CudaNormalization}, all sharing one {@link CudaContext}
 * (stream, handles, caches). {@link CudaBackend} adds opening, threads, closing and diagnostics.
 */
abstract sealed class CudaOps extends AbstractBackend permits CudaBackend {
    /** The stream, handles and caches every family uses. */
    final CudaContext cuda;
    private final CudaConvolution convolution;
    private final CudaPooling pooling;
    private final CudaElementwise elementwise;
    private final CudaLinear linear;
    /** Package-private: the backend's device-side loss for captured steps ({@link CudaBackend#crossEntropyOnDevice}). */
    final CudaLoss loss;
    private final CudaCopies copies;
    private final CudaOptimizer optimizer;
    private final CudaNormalization normalization;

    CudaOps(CudaContext cuda) {
        this.cuda = cuda;
        this.convolution = new CudaConvolution(cuda);
        this.pooling = new CudaPooling(cuda);
        this.elementwise = new CudaElementwise(cuda);
        this.linear = new CudaLinear(cuda, convolution);
        this.loss = new CudaLoss(cuda);
        this.copies = new CudaCopies(cuda);
        this.optimizer = new CudaOptimizer(cuda);
        this.normalization = new CudaNormalization(cuda);
    }

    @Override
    protected Tensor allocate(Shape shape) {
        return new Tensor(shape, this, cuda.allocator().allocate(shape.bytes()));
    }

    @Override
    protected void computeZeros(Tensor target) {
        cuda.zero(target);
    }

    @Override
    protected void computeFromHost(MemorySegment host, Tensor target) {
        copies.fromHost(host, target);
    }

    @Override
    protected void computeToHost(Tensor source, MemorySegment host) {
        copies.toHost(source, host);
    }

    @Override
    protected void computeCopy(Tensor source, Tensor target) {
        copies.copy(source, target);
    }

    @Override
    protected void computeConv2d(Tensor input, Tensor weight, Tensor bias, Conv2dSpec spec, Tensor output) {
        convolution.forward(input, weight, bias, spec, output);
    }

    @Override
    protected void computeConv2dBackwardInput(Tensor gradOutput, Tensor weight, Conv2dSpec spec, Tensor gradInput) {
        convolution.backwardInput(gradOutput, weight, spec, gradInput);
    }

    @Override
    protected void computeConv2dBackwardWeight(Tensor input, Tensor gradOutput, Conv2dSpec spec, Tensor gradWeight) {
        convolution.backwardWeight(input, gradOutput, spec, gradWeight);
    }

    @Override
    protected void computeBiasGradient(Tensor gradOutput, Tensor gradBias) {
        convolution.biasGradient(gradOutput, gradBias);
    }

    @Override
    protected void computeMaxPool2d(Tensor input, Pool2dSpec spec, Tensor output) {
        pooling.forward(input, spec, pooling.max(), output);
    }

    @Override
    protected void computeMaxPool2dBackward(Tensor input, Tensor output, Tensor gradOutput, Pool2dSpec spec, Tensor gradInput) {
        pooling.backward(input, output, gradOutput, spec, pooling.max(), gradInput);
    }

    @Override
    protected void computeAvgPool2d(Tensor input, Pool2dSpec spec, Tensor output) {
        pooling.forward(input, spec, PoolingKind.AVERAGE_INCLUDE_PADDING, output);
    }

    @Override
    protected void computeAvgPool2dBackward(Tensor input, Tensor gradOutput, Pool2dSpec spec, Tensor gradInput) {
        pooling.backward(input, gradOutput, gradOutput, spec, PoolingKind.AVERAGE_INCLUDE_PADDING, gradInput);
    }

    @Override
    protected void computeBatchNorm2dTraining(Tensor input, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                                              double momentum, double eps, Tensor output, Tensor savedMean, Tensor savedInvStd) {
        normalization.training(input, weight, bias, runningMean, runningVar, momentum, eps, output, savedMean, savedInvStd);
    }

    @Override
    protected void computeBatchNorm2dInference(Tensor input, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                                               double eps, Tensor output) {
        normalization.inference(input, weight, bias, runningMean, runningVar, eps, output);
    }

    @Override
    protected void computeBatchNorm2dBackward(Tensor input, Tensor gradOutput, Tensor weight, Tensor savedMean, Tensor savedInvStd,
                                              double eps, Tensor gradInput, Tensor gradWeight, Tensor gradBias) {
        normalization.backward(input, gradOutput, weight, savedMean, savedInvStd, eps, gradInput, gradWeight, gradBias);
    }

    @Override
    protected void computeRelu(Tensor input, Tensor output) {
        elementwise.activation(Activation.RELU, input, output);
    }

    @Override
    protected void computeReluBackward(Tensor output, Tensor gradOutput, Tensor gradInput) {
        elementwise.activationBackward(Activation.RELU, output, gradOutput, gradInput);
    }

    @Override
    protected void computeSigmoid(Tensor input, Tensor output) {
        elementwise.activation(Activation.SIGMOID, input, output);
    }

    @Override
    protected void computeSigmoidBackward(Tensor output, Tensor gradOutput, Tensor gradInput) {
        elementwise.activationBackward(Activation.SIGMOID, output, gradOutput, gradInput);
    }

    @Override
    protected void computeLinear(Tensor input, Tensor weight, Tensor bias, Tensor output) {
        linear.forward(input, weight, bias, output);
    }

    @Override
    protected void computeLinearBackwardInput(Tensor gradOutput, Tensor weight, Tensor gradInput) {
        linear.backwardInput(gradOutput, weight, gradInput);
    }

    @Override
    protected void computeLinearBackwardWeight(Tensor input, Tensor gradOutput, Tensor gradWeight) {
        linear.backwardWeight(input, gradOutput, gradWeight);
    }

    @Override
    protected float computeSoftmaxCrossEntropy(Tensor logits, int[] labels, Tensor gradLogits) {
        return loss.softmaxCrossEntropy(logits, labels, gradLogits);
    }

    @Override
    protected void computeConcatChannels(List<Tensor> inputs, Tensor output) {
        copies.concat(inputs, output);
    }

    @Override
    protected void computeSplitChannels(Tensor input, List<Tensor> parts) {
        copies.split(input, parts);
    }

    @Override
    protected void computeAdd(Tensor a, Tensor b, Tensor sum) {
        elementwise.add(a, b, sum);
    }

    @Override
    protected float computeSumOfSquares(Tensor tensor) {
        return optimizer.sumOfSquares(tensor);
    }

    @Override
    protected void computeScaleInPlace(Tensor tensor, float factor) {
        optimizer.scale(tensor, factor);
    }

    @Override
    protected void computeMultiply(Tensor a, Tensor b, Tensor product) {
        elementwise.multiply(a, b, product);
    }

    @Override
    protected void computeSgdMomentumStep(Tensor param, Tensor grad, Tensor momentumBuffer, float lr, float momentum, float weightDecay,
                                          boolean nesterov) {
        optimizer.sgdMomentumStep(param, grad, momentumBuffer, lr, momentum, weightDecay, nesterov);
    }

    @Override
    protected void computeAdamStep(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, AdamStep step) {
        optimizer.adamStep(param, grad, expAvg, expAvgSq, step);
    }
}
