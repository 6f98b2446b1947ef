package dev.isthmus.backend.reference;

import dev.isthmus.backend.parallel.ForkJoinParts;
import dev.isthmus.backend.AbstractBackend;
import dev.isthmus.backend.AdamStep;
import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.backend.CrossEntropy;
import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;

/**
 * The pure-Java backend: the correctness oracle for every other backend, and fast enough to train
 * the lesson's MNIST network on a CPU.
 * <p>
 * Arguments are checked, results allocated and freed on failure by {@link AbstractBackend}, the
 * front all backends share; each {@code compute…} hook here hands the arithmetic to a kernel class
 * whose comments state the formula: {@link ConvolutionKernels} (im2col + {@link RowGemm}) and {@link ParameterGradientKernels}, {@link PoolingKernels},
 * {@link LinearKernels}, {@link CrossEntropyKernel}, {@link ElementwiseKernels}. Results are
 * deterministic: the same inputs give bit-identical outputs whichever threads run the work.
 * <p>
 * Speed: a training step of the lesson's MNIST CNN at batch 64 costs about 15 ms of CPU time
 * (measured by the test-tree tool {@code LessonCnnTiming}), shared by the common ForkJoin pool.
 * <p>
 * Tensor memory comes from the C heap ({@link NativeHeap}); {@link #liveBytes()} counts it exactly.
 * Thread safety: ops may be called from several threads at once (each result is a new tensor), as
 * long as no tensor is closed while another thread is using it.
 * <p>
 * A faster CPU backend may extend this class and override the protected {@code compute…} hooks of
 * the ops it speeds up; the checks, messages and the ops it leaves alone stay the reference's.
 */
public class ReferenceBackend extends AbstractBackend {
    private final NativeHeap heap = new NativeHeap();
    private volatile boolean closed;

    /** A new backend; it holds no memory until the first tensor is made. */
    public ReferenceBackend() {
    }

    @Override
    public String name() {
        return "reference";
    }

    @Override
    public long liveBytes() {
        return heap.liveBytes();
    }

    // ---------------------------------------------------------------- memory

    @Override
    protected void checkUsable(String op) {
        if (closed) {
            throw new IllegalStateException(op + ": the " + name() + " backend is closed; create a new one");
        }
    }

    @Override
    protected Tensor allocate(Shape shape) {
        return new Tensor(shape, this, heap.allocate(shape.bytes()));
    }

    @Override
    protected void computeZeros(Tensor target) {
        target.segment().fill((byte) 0);
    }

    @Override
    protected void computeFromHost(MemorySegment host, Tensor target) {
        MemorySegment.copy(host, 0, target.segment(), 0, target.shape().bytes());
    }

    @Override
    protected void computeToHost(Tensor source, MemorySegment host) {
        MemorySegment.copy(source.segment(), 0, host, 0, source.shape().bytes());
    }

    @Override
    protected void computeCopy(Tensor source, Tensor target) {
        MemorySegment.copy(source.segment(), 0, target.segment(), 0, source.shape().bytes());
    }

    // ---------------------------------------------------------------- convolution

    @Override
    protected void computeConv2d(Tensor input, Tensor weight, Tensor bias, Conv2dSpec spec, Tensor output) {
        ConvGeometry g = ConvGeometry.of(input.shape(), weight.shape(), output.shape(), spec);
        float[][] weightRows = RowMatrices.read(weight.segment(), g.k(), g.columnRows());
        float[] biasValues = bias == null ? null : bias.segment().toArray(JAVA_FLOAT_UNALIGNED);
        ConvolutionKernels.forward(g, input.segment(), weightRows, biasValues, output.segment());
    }

    @Override
    protected void computeConv2dBackwardInput(Tensor gradOutput, Tensor weight, Conv2dSpec spec, Tensor gradInput) {
        ConvGeometry g = ConvGeometry.of(gradInput.shape(), weight.shape(), gradOutput.shape(), spec);
        float[][] weightRows = RowMatrices.read(weight.segment(), g.k(), g.columnRows());
        float[][] weightTransposed = RowMatrices.transpose(weightRows, g.k(), g.columnRows());
        ConvolutionKernels.backwardInput(g, gradOutput.segment(), weightRows, weightTransposed, gradInput.segment());
    }

    @Override
    protected void computeConv2dBackwardWeight(Tensor input, Tensor gradOutput, Conv2dSpec spec, Tensor gradWeight) {
        ConvGeometry g = ConvGeometry.of(input.shape(), gradWeight.shape(), gradOutput.shape(), spec);
        RowMatrices.write(ParameterGradientKernels.backwardWeight(g, input.segment(), gradOutput.segment()), gradWeight.segment());
    }

    /** [N, K, P, Q] sums per channel plane ({@link ParameterGradientKernels}); [N, out] sums per column ({@link LinearKernels}). */
    @Override
    protected void computeBiasGradient(Tensor gradOutput, Tensor gradBias) {
        Shape s = gradOutput.shape();
        if (s.rank() == 4) {
            float[] sums = ParameterGradientKernels.backwardBias(s.dim(0), s.dim(1), s.dim(2) * s.dim(3), gradOutput.segment());
            MemorySegment.copy(sums, 0, gradBias.segment(), JAVA_FLOAT_UNALIGNED, 0, s.dim(1));
        } else {
            LinearKernels.backwardBias(gradOutput.segment(), s.dim(0), s.dim(1), gradBias.segment());
        }
    }

    // ---------------------------------------------------------------- pooling

    @Override
    protected void computeMaxPool2d(Tensor input, Pool2dSpec spec, Tensor output) {
        PoolingKernels.maxForward(poolGeometry(input, output, spec), input.segment(), output.segment());
    }

    @Override
    protected void computeMaxPool2dBackward(Tensor input, Tensor output, Tensor gradOutput, Pool2dSpec spec, Tensor gradInput) {
        PoolingKernels.maxBackward(poolGeometry(input, output, spec), input.segment(), gradOutput.segment(), gradInput.segment());
    }

    @Override
    protected void computeAvgPool2d(Tensor input, Pool2dSpec spec, Tensor output) {
        PoolingKernels.avgForward(poolGeometry(input, output, spec), input.segment(), output.segment());
    }

    @Override
    protected void computeAvgPool2dBackward(Tensor input, Tensor gradOutput, Pool2dSpec spec, Tensor gradInput) {
        PoolingKernels.avgBackward(poolGeometry(input, gradOutput, spec), gradOutput.segment(), gradInput.segment());
    }

    // ---------------------------------------------------------------- normalisation

    @Override
    protected void computeBatchNorm2dTraining(Tensor input, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                                              double momentum, double eps, Tensor output, Tensor savedMean, Tensor savedInvStd) {
        NormalizationKernels.training(layout(input), input.segment(), weight.segment(), bias.segment(), runningMean.segment(),
                runningVar.segment(), momentum, eps, output.segment(), savedMean.segment(), savedInvStd.segment());
    }

    @Override
    protected void computeBatchNorm2dInference(Tensor input, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                                               double eps, Tensor output) {
        NormalizationKernels.inference(layout(input), input.segment(), weight.segment(), bias.segment(), runningMean.segment(),
                runningVar.segment(), eps, output.segment());
    }

    @Override
    protected void computeBatchNorm2dBackward(Tensor input, Tensor gradOutput, Tensor weight, Tensor savedMean, Tensor savedInvStd,
                                              double eps, Tensor gradInput, Tensor gradWeight, Tensor gradBias) {
        NormalizationKernels.backward(layout(input), input.segment(), gradOutput.segment(), weight.segment(), savedMean.segment(),
                savedInvStd.segment(), gradInput.segment(), gradWeight.segment(), gradBias.segment());
    }

    private static NormalizationKernels.Layout layout(Tensor input) {
        Shape s = input.shape();
        return new NormalizationKernels.Layout(s.dim(0), s.dim(1), s.dim(2) * s.dim(3));
    }

    private static PoolingKernels.Geometry poolGeometry(Tensor input, Tensor output, Pool2dSpec spec) {
        Shape i = input.shape(), o = output.shape();
        return new PoolingKernels.Geometry(i.dim(0), i.dim(1), i.dim(2), i.dim(3), o.dim(2), o.dim(3), spec);
    }

    // ---------------------------------------------------------------- activation

    @Override
    protected void computeRelu(Tensor input, Tensor output) {
        ForkJoinParts.forRangesOfWork(Math.toIntExact(input.numel()), 1, (from, to) -> ElementwiseKernels.relu(input.segment(), output.segment(), from, to));
    }

    @Override
    protected void computeReluBackward(Tensor output, Tensor gradOutput, Tensor gradInput) {
        ForkJoinParts.forRangesOfWork(Math.toIntExact(output.numel()), 1,
                (from, to) -> ElementwiseKernels.reluBackward(output.segment(), gradOutput.segment(), gradInput.segment(), from, to));
    }

    @Override
    protected void computeSigmoid(Tensor input, Tensor output) {
        ElementwiseKernels.sigmoid(input.segment(), output.segment(), input.numel());
    }

    @Override
    protected void computeSigmoidBackward(Tensor output, Tensor gradOutput, Tensor gradInput) {
        ElementwiseKernels.sigmoidBackward(output.segment(), gradOutput.segment(), gradInput.segment(), output.numel());
    }

    // ---------------------------------------------------------------- linear

    @Override
    protected void computeLinear(Tensor input, Tensor weight, Tensor bias, Tensor output) {
        int batch = input.shape().dim(0), in = input.shape().dim(1), out = weight.shape().dim(0);
        LinearKernels.forward(input.segment(), weight.segment(), bias == null ? null : bias.segment(), batch, in, out, output.segment());
    }

    @Override
    protected void computeLinearBackwardInput(Tensor gradOutput, Tensor weight, Tensor gradInput) {
        int batch = gradOutput.shape().dim(0), out = weight.shape().dim(0), in = weight.shape().dim(1);
        LinearKernels.backwardInput(gradOutput.segment(), weight.segment(), batch, in, out, gradInput.segment());
    }

    @Override
    protected void computeLinearBackwardWeight(Tensor input, Tensor gradOutput, Tensor gradWeight) {
        int batch = input.shape().dim(0), in = input.shape().dim(1), out = gradOutput.shape().dim(1);
        LinearKernels.backwardWeight(input.segment(), gradOutput.segment(), batch, in, out, gradWeight.segment());
    }

    // ---------------------------------------------------------------- loss

    @Override
    protected float computeSoftmaxCrossEntropy(Tensor logits, int[] labels, Tensor gradLogits) {
        Shape s = logits.shape();
        return CrossEntropyKernel.compute(logits.segment(), labels, s.dim(0), s.dim(1), gradLogits.segment());
    }

    // ---------------------------------------------------------------- structure

    @Override
    protected void computeConcatChannels(List<Tensor> inputs, Tensor output) {
        ChannelCopies.concat(inputs, output);
    }

    @Override
    protected void computeSplitChannels(Tensor input, List<Tensor> parts) {
        ChannelCopies.split(input, parts);
    }

    @Override
    protected void computeAdd(Tensor a, Tensor b, Tensor sum) {
        ForkJoinParts.forRangesOfWork(Math.toIntExact(a.numel()), 1, (from, to) -> ElementwiseKernels.add(a.segment(), b.segment(), sum.segment(), from, to));
    }

    @Override
    protected float computeSumOfSquares(Tensor tensor) {
        return ElementwiseKernels.sumOfSquares(tensor.segment(), tensor.numel());
    }

    @Override
    protected void computeScaleInPlace(Tensor tensor, float factor) {
        ElementwiseKernels.scale(tensor.segment(), tensor.numel(), factor);
    }

    @Override
    protected void computeMultiply(Tensor a, Tensor b, Tensor product) {
        ElementwiseKernels.multiply(a.segment(), b.segment(), product.segment(), a.numel());
    }

    // ---------------------------------------------------------------- optimisation

    @Override
    protected void computeSgdMomentumStep(Tensor param, Tensor grad, Tensor momentumBuffer, float lr, float momentum, float weightDecay,
                                          boolean nesterov) {
        ElementwiseKernels.sgdMomentum(param.segment(), grad.segment(), momentumBuffer.segment(), param.numel(), lr, momentum, weightDecay,
                nesterov);
    }

    @Override
    protected void computeAdamStep(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, AdamStep step) {
        ElementwiseKernels.adam(param.segment(), grad.segment(), expAvg.segment(), expAvgSq.segment(), param.numel(), step);
    }

    // ---------------------------------------------------------------- lifecycle

    /** Frees every tensor this backend still holds (they become closed) and makes its ops throw {@link IllegalStateException}. */
    @Override
    public void close() {
        closed = true;
        heap.freeAll();
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "ReferenceBackend[" + (closed ? "closed" : liveBytes() + " live bytes") + "]";
    }
}
