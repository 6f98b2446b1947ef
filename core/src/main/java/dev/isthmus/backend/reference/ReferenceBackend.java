package dev.isthmus.backend.reference;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.backend.CrossEntropy;
import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;

/**
 * The pure-Java backend: the correctness oracle for every other backend, and fast enough to train
 * the lesson's MNIST network on a CPU.
 * <p>
 * Each op validates its arguments here (one place, one message style: the op, the argument, the
 * shapes), allocates its result and hands the arithmetic to a kernel class whose comments state
 * the formula: {@link ConvolutionKernels} (im2col + {@link RowGemm}), {@link PoolingKernels},
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
 * Faster CPU backends extend this class and override only the {@code protected} compute hooks
 * ({@link #conv2dForward} and the others below): validation, shapes and messages stay defined once, here.
 */
public class ReferenceBackend implements Backend {
    private final NativeHeap heap = new NativeHeap();
    private volatile boolean closed;

    public ReferenceBackend() {
    }

    @Override
    public String name() {
        return "reference";
    }

    // ---------------------------------------------------------------- memory

    @Override
    public Tensor zeros(Shape shape) {
        checkOpen("zeros");
        requireShape("zeros", shape);
        Tensor tensor = allocate(shape);
        tensor.segment().fill((byte) 0);
        return tensor;
    }

    @Override
    public Tensor fromHost(Shape shape, MemorySegment host) {
        checkOpen("fromHost");
        requireShape("fromHost", shape);
        requireHost("fromHost", host, shape);
        Tensor tensor = allocate(shape);
        MemorySegment.copy(host, 0, tensor.segment(), 0, shape.bytes());
        return tensor;
    }

    @Override
    public void toHost(Tensor source, MemorySegment host) {
        checkOpen("toHost");
        MemorySegment segment = segment("toHost", "source", source);
        requireHost("toHost", host, source.shape());
        MemorySegment.copy(segment, 0, host, 0, source.shape().bytes());
    }

    @Override
    public void copy(Tensor source, Tensor target) {
        checkOpen("copy");
        MemorySegment from = segment("copy", "source", source);
        MemorySegment to = segment("copy", "target", target);
        if (source.numel() != target.numel()) {
            throw new IllegalArgumentException("copy: source " + source.shape() + " has " + source.numel() + " elements but target "
                    + target.shape() + " has " + target.numel() + "; copy between tensors of equal size");
        }
        MemorySegment.copy(from, 0, to, 0, source.shape().bytes());
    }

    @Override
    public long liveBytes() {
        return heap.liveBytes();
    }

    // ---------------------------------------------------------------- convolution

    @Override
    public Tensor conv2d(Tensor input, Tensor weight, Tensor bias, Conv2dSpec spec) {
        String op = "conv2d";
        checkOpen(op);
        MemorySegment x = segment(op, "input", input);
        MemorySegment w = segment(op, "weight", weight);
        MemorySegment b = bias == null ? null : segment(op, "bias", bias);
        requireSpec(op, spec);
        Shape outputShape = spec.outputShape(input.shape(), weight.shape());
        if (bias != null && !bias.shape().equals(Shape.of(weight.shape().dim(0)))) {
            throw new IllegalArgumentException(op + ": bias has shape " + bias.shape() + " but weight " + weight.shape() + " has "
                    + weight.shape().dim(0) + " output channels; pass a bias of shape [" + weight.shape().dim(0) + "] or null");
        }
        Shape weightShape = weight.shape();
        return compute(outputShape, y -> conv2dForward(input.shape(), weightShape, outputShape, spec, x, w, b, y));
    }

    /** Compute hook of {@link #conv2d}: arguments validated, {@code y} of {@code output} shape to fill; {@code b} may be null. */
    protected void conv2dForward(Shape input, Shape weight, Shape output, Conv2dSpec spec,
                                 MemorySegment x, MemorySegment w, MemorySegment b, MemorySegment y) {
        ConvGeometry g = ConvGeometry.of(input, weight, output, spec);
        float[][] weightRows = RowMatrices.read(w, g.k(), g.columnRows());
        float[] biasValues = b == null ? null : b.toArray(JAVA_FLOAT_UNALIGNED);
        ConvolutionKernels.forward(g, x, weightRows, biasValues, y);
    }

    @Override
    public Tensor conv2dBackwardInput(Tensor gradOutput, Tensor weight, Shape inputShape, Conv2dSpec spec) {
        String op = "conv2dBackwardInput";
        checkOpen(op);
        MemorySegment dy = segment(op, "gradOutput", gradOutput);
        MemorySegment w = segment(op, "weight", weight);
        requireShape(op, inputShape);
        requireSpec(op, spec);
        Shape outputShape = withOp(op, () -> spec.outputShape(inputShape, weight.shape()));
        requireGradOutput(op, gradOutput, outputShape, "input " + inputShape + " and weight " + weight.shape());
        Shape weightShape = weight.shape();
        return compute(inputShape, dx -> conv2dBackwardInput(inputShape, weightShape, outputShape, spec, dy, w, dx));
    }

    /** Compute hook of {@link #conv2dBackwardInput(Tensor, Tensor, Shape, Conv2dSpec)}: arguments validated, {@code dx} to fill. */
    protected void conv2dBackwardInput(Shape input, Shape weight, Shape output, Conv2dSpec spec,
                                       MemorySegment dy, MemorySegment w, MemorySegment dx) {
        ConvGeometry g = ConvGeometry.of(input, weight, output, spec);
        float[][] weightRows = RowMatrices.read(w, g.k(), g.columnRows());
        float[][] weightTransposed = RowMatrices.transpose(weightRows, g.k(), g.columnRows());
        ConvolutionKernels.backwardInput(g, dy, weightRows, weightTransposed, dx);
    }

    @Override
    public Tensor conv2dBackwardWeight(Tensor input, Tensor gradOutput, Shape weightShape, Conv2dSpec spec) {
        String op = "conv2dBackwardWeight";
        checkOpen(op);
        MemorySegment x = segment(op, "input", input);
        MemorySegment dy = segment(op, "gradOutput", gradOutput);
        requireShape(op, weightShape);
        requireSpec(op, spec);
        Shape outputShape = withOp(op, () -> spec.outputShape(input.shape(), weightShape));
        requireGradOutput(op, gradOutput, outputShape, "input " + input.shape() + " and weight " + weightShape);
        Shape inputShape = input.shape();
        return compute(weightShape, dw -> conv2dBackwardWeight(inputShape, weightShape, outputShape, spec, x, dy, dw));
    }

    /** Compute hook of {@link #conv2dBackwardWeight(Tensor, Tensor, Shape, Conv2dSpec)}: arguments validated, {@code dw} to fill. */
    protected void conv2dBackwardWeight(Shape input, Shape weight, Shape output, Conv2dSpec spec,
                                        MemorySegment x, MemorySegment dy, MemorySegment dw) {
        ConvGeometry g = ConvGeometry.of(input, weight, output, spec);
        RowMatrices.write(ConvolutionKernels.backwardWeight(g, x, dy), dw);
    }

    @Override
    public Tensor conv2dBackwardBias(Tensor gradOutput) {
        String op = "conv2dBackwardBias";
        checkOpen(op);
        MemorySegment dy = segment(op, "gradOutput", gradOutput);
        requireRank(op, "gradOutput", gradOutput, 4, "[N, K, P, Q]");
        Shape s = gradOutput.shape();
        return compute(Shape.of(s.dim(1)), db -> MemorySegment.copy(
                ConvolutionKernels.backwardBias(s.dim(0), s.dim(1), s.dim(2) * s.dim(3), dy), 0, db, JAVA_FLOAT_UNALIGNED, 0, s.dim(1)));
    }

    // ---------------------------------------------------------------- pooling

    @Override
    public Tensor maxPool2d(Tensor input, Pool2dSpec spec) {
        String op = "maxPool2d";
        checkOpen(op);
        MemorySegment x = segment(op, "input", input);
        requireSpec(op, spec);
        PoolingKernels.Geometry g = poolGeometry(op, input.shape(), spec);
        return compute(spec.outputShape(op, input.shape()), y -> PoolingKernels.maxForward(g, x, y));
    }

    @Override
    public Tensor maxPool2dBackward(Tensor input, Tensor output, Tensor gradOutput, Pool2dSpec spec) {
        String op = "maxPool2dBackward";
        checkOpen(op);
        MemorySegment x = segment(op, "input", input);
        segment(op, "output", output);
        MemorySegment dy = segment(op, "gradOutput", gradOutput);
        requireSpec(op, spec);
        Shape outputShape = spec.outputShape(op, input.shape());
        if (!output.shape().equals(outputShape)) {
            throw new IllegalArgumentException(op + ": output has shape " + output.shape() + " but pooling input " + input.shape()
                    + " gives " + outputShape + "; pass the forward pass's output");
        }
        requireGradOutput(op, gradOutput, outputShape, "input " + input.shape());
        PoolingKernels.Geometry g = poolGeometry(op, input.shape(), spec);
        return compute(input.shape(), dx -> PoolingKernels.maxBackward(g, x, dy, dx));
    }

    @Override
    public Tensor avgPool2d(Tensor input, Pool2dSpec spec) {
        String op = "avgPool2d";
        checkOpen(op);
        MemorySegment x = segment(op, "input", input);
        requireSpec(op, spec);
        PoolingKernels.Geometry g = poolGeometry(op, input.shape(), spec);
        return compute(spec.outputShape(op, input.shape()), y -> PoolingKernels.avgForward(g, x, y));
    }

    @Override
    public Tensor avgPool2dBackward(Tensor input, Tensor gradOutput, Pool2dSpec spec) {
        String op = "avgPool2dBackward";
        checkOpen(op);
        segment(op, "input", input);
        MemorySegment dy = segment(op, "gradOutput", gradOutput);
        requireSpec(op, spec);
        requireGradOutput(op, gradOutput, spec.outputShape(op, input.shape()), "input " + input.shape());
        PoolingKernels.Geometry g = poolGeometry(op, input.shape(), spec);
        return compute(input.shape(), dx -> PoolingKernels.avgBackward(g, dy, dx));
    }

    private static PoolingKernels.Geometry poolGeometry(String op, Shape input, Pool2dSpec spec) {
        Shape output = spec.outputShape(op, input);
        return new PoolingKernels.Geometry(input.dim(0), input.dim(1), input.dim(2), input.dim(3), output.dim(2), output.dim(3), spec);
    }

    // ---------------------------------------------------------------- activation

    @Override
    public Tensor relu(Tensor input) {
        checkOpen("relu");
        MemorySegment x = segment("relu", "input", input);
        return compute(input.shape(), y -> ElementwiseKernels.relu(x, y, input.numel()));
    }

    @Override
    public Tensor reluBackward(Tensor output, Tensor gradOutput) {
        String op = "reluBackward";
        checkOpen(op);
        MemorySegment y = segment(op, "output", output);
        MemorySegment dy = segment(op, "gradOutput", gradOutput);
        requireSameShape(op, "output", output, "gradOutput", gradOutput);
        return compute(output.shape(), dx -> ElementwiseKernels.reluBackward(y, dy, dx, output.numel()));
    }

    // ---------------------------------------------------------------- linear

    @Override
    public Tensor linear(Tensor input, Tensor weight, Tensor bias) {
        String op = "linear";
        checkOpen(op);
        MemorySegment x = segment(op, "input", input);
        MemorySegment w = segment(op, "weight", weight);
        MemorySegment b = bias == null ? null : segment(op, "bias", bias);
        requireRank(op, "input", input, 2, "[N, in] (flatten images first)");
        requireRank(op, "weight", weight, 2, "[out, in]");
        int batch = input.shape().dim(0), in = input.shape().dim(1), out = weight.shape().dim(0);
        if (weight.shape().dim(1) != in) {
            throw new IllegalArgumentException(op + ": input " + input.shape() + " has " + in + " features but weight " + weight.shape()
                    + " expects " + weight.shape().dim(1) + "; make the layer's in-features match the input");
        }
        if (bias != null && !bias.shape().equals(Shape.of(out))) {
            throw new IllegalArgumentException(op + ": bias has shape " + bias.shape() + " but weight " + weight.shape() + " has "
                    + out + " outputs; pass a bias of shape [" + out + "] or null");
        }
        return compute(Shape.of(batch, out), y -> linearForward(x, w, b, batch, in, out, y));
    }

    /** Compute hook of {@link #linear}: y[batch, out] = x[batch, in]·wᵀ + b, arguments validated; {@code b} may be null. */
    protected void linearForward(MemorySegment x, MemorySegment w, MemorySegment b, int batch, int in, int out, MemorySegment y) {
        LinearKernels.forward(x, w, b, batch, in, out, y);
    }

    @Override
    public Tensor linearBackwardInput(Tensor gradOutput, Tensor weight) {
        String op = "linearBackwardInput";
        checkOpen(op);
        MemorySegment dy = segment(op, "gradOutput", gradOutput);
        MemorySegment w = segment(op, "weight", weight);
        requireRank(op, "gradOutput", gradOutput, 2, "[N, out]");
        requireRank(op, "weight", weight, 2, "[out, in]");
        int batch = gradOutput.shape().dim(0), out = weight.shape().dim(0), in = weight.shape().dim(1);
        if (gradOutput.shape().dim(1) != out) {
            throw new IllegalArgumentException(op + ": gradOutput " + gradOutput.shape() + " has " + gradOutput.shape().dim(1)
                    + " features but weight " + weight.shape() + " has " + out + " outputs");
        }
        return compute(Shape.of(batch, in), dx -> linearBackwardInput(dy, w, batch, in, out, dx));
    }

    /** Compute hook of {@link #linearBackwardInput(Tensor, Tensor)}: dx[batch, in] = dy[batch, out]·w[out, in]. */
    protected void linearBackwardInput(MemorySegment dy, MemorySegment w, int batch, int in, int out, MemorySegment dx) {
        LinearKernels.backwardInput(dy, w, batch, in, out, dx);
    }

    @Override
    public Tensor linearBackwardWeight(Tensor input, Tensor gradOutput) {
        String op = "linearBackwardWeight";
        checkOpen(op);
        MemorySegment x = segment(op, "input", input);
        MemorySegment dy = segment(op, "gradOutput", gradOutput);
        requireRank(op, "input", input, 2, "[N, in]");
        requireRank(op, "gradOutput", gradOutput, 2, "[N, out]");
        int batch = input.shape().dim(0), in = input.shape().dim(1), out = gradOutput.shape().dim(1);
        if (gradOutput.shape().dim(0) != batch) {
            throw new IllegalArgumentException(op + ": input " + input.shape() + " and gradOutput " + gradOutput.shape()
                    + " have different batch sizes");
        }
        return compute(Shape.of(out, in), dw -> linearBackwardWeight(x, dy, batch, in, out, dw));
    }

    /** Compute hook of {@link #linearBackwardWeight(Tensor, Tensor)}: dw[out, in] = dyᵀ[out, batch]·x[batch, in]. */
    protected void linearBackwardWeight(MemorySegment x, MemorySegment dy, int batch, int in, int out, MemorySegment dw) {
        LinearKernels.backwardWeight(x, dy, batch, in, out, dw);
    }

    @Override
    public Tensor linearBackwardBias(Tensor gradOutput) {
        String op = "linearBackwardBias";
        checkOpen(op);
        MemorySegment dy = segment(op, "gradOutput", gradOutput);
        requireRank(op, "gradOutput", gradOutput, 2, "[N, out]");
        int batch = gradOutput.shape().dim(0), out = gradOutput.shape().dim(1);
        return compute(Shape.of(out), db -> LinearKernels.backwardBias(dy, batch, out, db));
    }

    // ---------------------------------------------------------------- loss

    @Override
    public CrossEntropy softmaxCrossEntropy(Tensor logits, int[] labels) {
        String op = "softmaxCrossEntropy";
        checkOpen(op);
        MemorySegment z = segment(op, "logits", logits);
        requireRank(op, "logits", logits, 2, "[N, classes]");
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
        Tensor grad = allocate(logits.shape());
        try {
            return new CrossEntropy(CrossEntropyKernel.compute(z, labels, batch, classes, grad.segment()), grad);
        } catch (RuntimeException | Error e) {
            grad.close();
            throw e;
        }
    }

    // ---------------------------------------------------------------- structure

    /** out[n] = input_0[n] ‖ input_1[n] ‖ … along the channels: each sample's channel blocks are contiguous in NCHW. */
    @Override
    public Tensor concatChannels(List<Tensor> inputs) {
        String op = "concatChannels";
        checkOpen(op);
        if (inputs == null || inputs.isEmpty()) {
            throw new IllegalArgumentException(op + ": no inputs; pass at least one [N, C, H, W] tensor");
        }
        List<MemorySegment> segments = new ArrayList<>();
        Shape first = null;
        int channels = 0;
        for (int i = 0; i < inputs.size(); i++) {
            Tensor t = inputs.get(i);
            segments.add(segment(op, "inputs[" + i + "]", t));
            requireRank(op, "inputs[" + i + "]", t, 4, "[N, C, H, W]");
            Shape s = t.shape();
            if (first == null) {
                first = s;
            } else if (s.dim(0) != first.dim(0) || s.dim(2) != first.dim(2) || s.dim(3) != first.dim(3)) {
                throw new IllegalArgumentException(op + ": inputs[" + i + "] " + s + " differs from inputs[0] " + first
                        + " in N, H or W; only the channel counts may differ");
            }
            channels += s.dim(1);
        }
        int batch = first.dim(0), plane = first.dim(2) * first.dim(3), totalChannels = channels;
        return compute(Shape.of(batch, channels, first.dim(2), first.dim(3)), out -> {
            for (int n = 0; n < batch; n++) {
                long channelOffset = (long) n * totalChannels;
                for (int i = 0; i < inputs.size(); i++) {
                    long bytes = (long) inputs.get(i).shape().dim(1) * plane * Float.BYTES;
                    MemorySegment.copy(segments.get(i), n * bytes, out, channelOffset * plane * Float.BYTES, bytes);
                    channelOffset += inputs.get(i).shape().dim(1);
                }
            }
        });
    }

    /** part_i[n] = input[n][channels c_0 + … + c_(i−1) … + c_i − 1]: the inverse of {@link #concatChannels}. */
    @Override
    public List<Tensor> splitChannels(Tensor input, int[] channels) {
        String op = "splitChannels";
        checkOpen(op);
        MemorySegment x = segment(op, "input", input);
        requireRank(op, "input", input, 4, "[N, C, H, W]");
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
        int batch = s.dim(0), plane = s.dim(2) * s.dim(3);
        List<Tensor> parts = new ArrayList<>();
        try {
            int channelOffset = 0;
            for (int c : channels) {
                int offset = channelOffset;
                parts.add(compute(Shape.of(batch, c, s.dim(2), s.dim(3)), out -> {
                    long bytes = (long) c * plane * Float.BYTES;
                    for (int n = 0; n < batch; n++) {
                        MemorySegment.copy(x, ((long) n * s.dim(1) + offset) * plane * Float.BYTES, out, n * bytes, bytes);
                    }
                }));
                channelOffset += c;
            }
            return parts;
        } catch (RuntimeException | Error e) {
            parts.forEach(Tensor::close);
            throw e;
        }
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        checkOpen("add");
        MemorySegment x = segment("add", "a", a);
        MemorySegment y = segment("add", "b", b);
        requireSameShape("add", "a", a, "b", b);
        return compute(a.shape(), sum -> ElementwiseKernels.add(x, y, sum, a.numel()));
    }

    // ---------------------------------------------------------------- optimisation

    @Override
    public void sgdMomentumStep(Tensor param, Tensor grad, Tensor momentumBuffer, float lr, float momentum, float weightDecay) {
        String op = "sgdMomentumStep";
        checkOpen(op);
        MemorySegment p = segment(op, "param", param);
        MemorySegment g = segment(op, "grad", grad);
        MemorySegment buffer = segment(op, "momentumBuffer", momentumBuffer);
        requireSameShape(op, "param", param, "grad", grad);
        requireSameShape(op, "param", param, "momentumBuffer", momentumBuffer);
        ElementwiseKernels.sgdMomentum(p, g, buffer, param.numel(), lr, momentum, weightDecay);
    }

    /** Makes the backend unusable (ops throw {@link IllegalStateException}); tensors the caller still holds stay theirs to close. */
    @Override
    public void close() {
        closed = true;
    }

    /** True once {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "ReferenceBackend[" + (closed ? "closed" : liveBytes() + " live bytes") + "]";
    }

    // ================================================================ helpers

    private void checkOpen(String op) {
        if (closed) {
            throw new IllegalStateException(op + ": the " + name() + " backend is closed; open a new one");
        }
    }

    private Tensor allocate(Shape shape) {
        return new Tensor(shape, this, heap.allocate(shape.bytes()));
    }

    /** A new tensor filled by {@code kernel}; freed again if the kernel fails, so a failed op leaks nothing. */
    private Tensor compute(Shape shape, Consumer<MemorySegment> kernel) {
        Tensor result = allocate(shape);
        try {
            kernel.accept(result.segment());
            return result;
        } catch (RuntimeException | Error e) {
            result.close();
            throw e;
        }
    }

    /** The memory of a live tensor of this backend; throws naming the op and the argument otherwise. */
    private MemorySegment segment(String op, String argument, Tensor tensor) {
        if (tensor == null) {
            throw new IllegalArgumentException(op + ": " + argument + " is null");
        }
        if (tensor.backend() != this) {
            String owner = tensor.backend() instanceof ReferenceBackend ? "another reference backend" : "backend '" + tensor.backend().name() + "'";
            throw new IllegalArgumentException(op + ": " + argument + " " + tensor.shape() + " belongs to " + owner
                    + ", not to this one; move it first (Model.to, fromArray)");
        }
        if (tensor.isClosed()) {
            throw new IllegalStateException(Backend.closedTensorMessage(op, argument, tensor));
        }
        if (tensor.numel() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": " + argument + " " + tensor.shape() + " has more than 2^31-1 elements, more than the reference backend handles");
        }
        return tensor.segment();
    }

    private static void requireShape(String op, Shape shape) {
        if (shape == null) {
            throw new IllegalArgumentException(op + ": shape is null");
        }
        if (shape.numel() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": shape " + shape + " has more than 2^31-1 elements, more than the reference backend handles");
        }
    }

    private static void requireSpec(String op, Object spec) {
        if (spec == null) {
            throw new IllegalArgumentException(op + ": spec is null; pass the layer's geometry (Conv2dSpec.defaults(), Pool2dSpec.of(k))");
        }
    }

    private static void requireHost(String op, MemorySegment host, Shape shape) {
        if (host == null) {
            throw new IllegalArgumentException(op + ": host memory is null");
        }
        if (host.byteSize() < shape.bytes()) {
            throw new IllegalArgumentException(op + ": host memory has " + host.byteSize() + " bytes but shape " + shape + " needs "
                    + shape.bytes());
        }
    }

    private static void requireRank(String op, String argument, Tensor tensor, int rank, String layout) {
        if (tensor.shape().rank() != rank) {
            throw new IllegalArgumentException(op + ": " + argument + " must be " + rank + "-D " + layout + ", got " + tensor.shape());
        }
    }

    private static void requireSameShape(String op, String firstName, Tensor first, String secondName, Tensor second) {
        if (!first.shape().equals(second.shape())) {
            throw new IllegalArgumentException(op + ": " + firstName + " " + first.shape() + " and " + secondName + " " + second.shape()
                    + " must have the same shape");
        }
    }

    private static void requireGradOutput(String op, Tensor gradOutput, Shape expected, String from) {
        if (!gradOutput.shape().equals(expected)) {
            throw new IllegalArgumentException(op + ": gradOutput has shape " + gradOutput.shape() + " but " + from
                    + " give an output of shape " + expected);
        }
    }

    /** Runs a shape computation whose messages name the forward op, naming this (backward) op in front. */
    private static Shape withOp(String op, Supplier<Shape> shape) {
        try {
            return shape.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(op + ": " + e.getMessage(), e);
        }
    }
}
