package dev.isthmus.testing;

import dev.isthmus.backend.AdamStep;
import dev.isthmus.backend.Backend;
import dev.isthmus.backend.BatchNormGradients;
import dev.isthmus.backend.BatchNormOutput;
import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.backend.CrossEntropy;
import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.tensor.Memory;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A backend that hands every call to another one: the base for test doubles that change one op's
 * result (override the op, call {@code super}, alter what comes back).
 * <p>
 * Layers find their backend through {@code tensor.backend()}, so the tensors this backend returns
 * must name it, not the delegate: each delegate result is wrapped in a tensor of this backend over
 * the same memory (closing the wrapper closes the delegate's tensor), and arguments are unwrapped
 * before they reach the delegate (views, too, by their memory address). The delegate's own checks
 * therefore still run on every argument.
 */
public class ForwardingBackend implements Backend {
    protected final Backend delegate;
    private final Map<Long, Tensor> delegateTensors = new HashMap<>();

    public ForwardingBackend(Backend delegate) {
        this.delegate = delegate;
    }

    public Backend delegate() {
        return delegate;
    }

    /** A tensor of this backend over the memory of {@code inner}, a fresh result of the delegate; takes ownership. */
    protected Tensor wrap(Tensor inner) {
        if (inner == null) return null;
        MemorySegment segment = inner.segment();
        long address = segment.address();
        synchronized (delegateTensors) {
            delegateTensors.put(address, inner);
        }
        Memory memory = new Memory(segment, inner.shape().bytes(), (freed, bytes) -> {
            synchronized (delegateTensors) {
                delegateTensors.remove(address, inner);
            }
            inner.close();
        });
        return new Tensor(inner.shape(), this, memory);
    }

    /** The delegate's tensor behind {@code outer} (a view of it when {@code outer} is a view of another shape). */
    protected Tensor unwrap(Tensor outer) {
        if (outer == null || outer.backend() != this) return outer; // let the delegate report foreign tensors
        Tensor inner;
        synchronized (delegateTensors) {
            inner = delegateTensors.get(outer.segment().address());
        }
        if (inner == null) {
            throw new IllegalArgumentException(outer + " is not a live tensor of this forwarding backend");
        }
        return inner.shape().equals(outer.shape()) ? inner : inner.view(outer.shape());
    }

    /** Wraps several fresh results; when one wrap fails (a test double refusing it), the others are freed too. */
    private List<Tensor> wrapAll(List<Tensor> inners) {
        List<Tensor> wrapped = new ArrayList<>(inners.size());
        try {
            for (Tensor inner : inners) wrapped.add(wrap(inner));
            return wrapped;
        } catch (RuntimeException | Error e) {
            wrapped.forEach(Tensor::close);
            inners.subList(wrapped.size() + 1, inners.size()).forEach(Tensor::close);
            throw e;
        }
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public Tensor zeros(Shape shape) {
        return wrap(delegate.zeros(shape));
    }

    @Override
    public Tensor fromHost(Shape shape, MemorySegment host) {
        return wrap(delegate.fromHost(shape, host));
    }

    @Override
    public void toHost(Tensor source, MemorySegment host) {
        delegate.toHost(unwrap(source), host);
    }

    @Override
    public void copy(Tensor source, Tensor target) {
        delegate.copy(unwrap(source), unwrap(target));
    }

    @Override
    public long liveBytes() {
        return delegate.liveBytes();
    }

    @Override
    public Tensor conv2d(Tensor input, Tensor weight, Tensor bias, Conv2dSpec spec) {
        return wrap(delegate.conv2d(unwrap(input), unwrap(weight), unwrap(bias), spec));
    }

    @Override
    public Tensor conv2dBackwardInput(Tensor gradOutput, Tensor weight, Shape inputShape, Conv2dSpec spec) {
        return wrap(delegate.conv2dBackwardInput(unwrap(gradOutput), unwrap(weight), inputShape, spec));
    }

    @Override
    public Tensor conv2dBackwardWeight(Tensor input, Tensor gradOutput, Shape weightShape, Conv2dSpec spec) {
        return wrap(delegate.conv2dBackwardWeight(unwrap(input), unwrap(gradOutput), weightShape, spec));
    }

    @Override
    public Tensor conv2dBackwardBias(Tensor gradOutput) {
        return wrap(delegate.conv2dBackwardBias(unwrap(gradOutput)));
    }

    @Override
    public Tensor maxPool2d(Tensor input, Pool2dSpec spec) {
        return wrap(delegate.maxPool2d(unwrap(input), spec));
    }

    @Override
    public Tensor maxPool2dBackward(Tensor input, Tensor output, Tensor gradOutput, Pool2dSpec spec) {
        return wrap(delegate.maxPool2dBackward(unwrap(input), unwrap(output), unwrap(gradOutput), spec));
    }

    @Override
    public Tensor avgPool2d(Tensor input, Pool2dSpec spec) {
        return wrap(delegate.avgPool2d(unwrap(input), spec));
    }

    @Override
    public Tensor avgPool2dBackward(Tensor input, Tensor gradOutput, Pool2dSpec spec) {
        return wrap(delegate.avgPool2dBackward(unwrap(input), unwrap(gradOutput), spec));
    }

    @Override
    public Tensor globalAvgPool2d(Tensor input) {
        return wrap(delegate.globalAvgPool2d(unwrap(input)));
    }

    @Override
    public Tensor globalAvgPool2dBackward(Tensor input, Tensor gradOutput) {
        return wrap(delegate.globalAvgPool2dBackward(unwrap(input), unwrap(gradOutput)));
    }

    @Override
    public BatchNormOutput batchNorm2dTraining(Tensor input, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                                               double momentum, double eps) {
        BatchNormOutput r = delegate.batchNorm2dTraining(unwrap(input), unwrap(weight), unwrap(bias), unwrap(runningMean), unwrap(runningVar),
                momentum, eps);
        List<Tensor> w = wrapAll(List.of(r.output(), r.savedMean(), r.savedInvStd()));
        return new BatchNormOutput(w.get(0), w.get(1), w.get(2));
    }

    @Override
    public Tensor batchNorm2dInference(Tensor input, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, double eps) {
        return wrap(delegate.batchNorm2dInference(unwrap(input), unwrap(weight), unwrap(bias), unwrap(runningMean), unwrap(runningVar), eps));
    }

    @Override
    public BatchNormGradients batchNorm2dBackward(Tensor input, Tensor gradOutput, Tensor weight, Tensor savedMean, Tensor savedInvStd,
                                                  double eps) {
        BatchNormGradients g = delegate.batchNorm2dBackward(unwrap(input), unwrap(gradOutput), unwrap(weight), unwrap(savedMean),
                unwrap(savedInvStd), eps);
        List<Tensor> w = wrapAll(List.of(g.gradInput(), g.gradWeight(), g.gradBias()));
        return new BatchNormGradients(w.get(0), w.get(1), w.get(2));
    }

    @Override
    public Tensor relu(Tensor input) {
        return wrap(delegate.relu(unwrap(input)));
    }

    @Override
    public Tensor reluBackward(Tensor output, Tensor gradOutput) {
        return wrap(delegate.reluBackward(unwrap(output), unwrap(gradOutput)));
    }

    @Override
    public Tensor linear(Tensor input, Tensor weight, Tensor bias) {
        return wrap(delegate.linear(unwrap(input), unwrap(weight), unwrap(bias)));
    }

    @Override
    public Tensor linearBackwardInput(Tensor gradOutput, Tensor weight) {
        return wrap(delegate.linearBackwardInput(unwrap(gradOutput), unwrap(weight)));
    }

    @Override
    public Tensor linearBackwardWeight(Tensor input, Tensor gradOutput) {
        return wrap(delegate.linearBackwardWeight(unwrap(input), unwrap(gradOutput)));
    }

    @Override
    public Tensor linearBackwardBias(Tensor gradOutput) {
        return wrap(delegate.linearBackwardBias(unwrap(gradOutput)));
    }

    @Override
    public CrossEntropy softmaxCrossEntropy(Tensor logits, int[] labels) {
        CrossEntropy result = delegate.softmaxCrossEntropy(unwrap(logits), labels);
        return new CrossEntropy(result.loss(), wrap(result.gradLogits()));
    }

    @Override
    public Tensor concatChannels(List<Tensor> inputs) {
        List<Tensor> inners = new ArrayList<>(inputs.size());
        for (Tensor input : inputs) inners.add(unwrap(input));
        return wrap(delegate.concatChannels(inners));
    }

    @Override
    public List<Tensor> splitChannels(Tensor input, int[] channels) {
        return wrapAll(delegate.splitChannels(unwrap(input), channels));
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        return wrap(delegate.add(unwrap(a), unwrap(b)));
    }

    @Override
    public float sumOfSquares(Tensor tensor) {
        return delegate.sumOfSquares(unwrap(tensor));
    }

    @Override
    public void scaleInPlace(Tensor tensor, float factor) {
        delegate.scaleInPlace(unwrap(tensor), factor);
    }

    @Override
    public Tensor multiply(Tensor a, Tensor b) {
        return wrap(delegate.multiply(unwrap(a), unwrap(b)));
    }

    @Override
    public void sgdMomentumStep(Tensor param, Tensor grad, Tensor momentumBuffer, float lr, float momentum, float weightDecay, boolean nesterov) {
        delegate.sgdMomentumStep(unwrap(param), unwrap(grad), unwrap(momentumBuffer), lr, momentum, weightDecay, nesterov);
    }

    @Override
    public void adamStep(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, AdamStep step) {
        delegate.adamStep(unwrap(param), unwrap(grad), unwrap(expAvg), unwrap(expAvgSq), step);
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + delegate + ")";
    }
}
