package dev.isthmus.compare;

import dev.isthmus.backend.Backend;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Models;
import dev.isthmus.nn.Parameter;
import dev.isthmus.tensor.Shape;
import dev.isthmus.train.Batch;
import dev.isthmus.train.Sgd;
import dev.isthmus.train.SgdSettings;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Trains the same model on two backends in lockstep and compares every tensor of every step.
 * <p>
 * Both models start from the same weights ({@link Model#initialize} draws them on the host from the
 * seed) and see the same batches. Each step compares, in the order they are computed: every named
 * layer's output (dotted paths such as {@code incep1.branch5x5_2}), the loss, the gradient of the
 * logits, every layer's input gradient followed by the gradients of that layer's parameters (by
 * state-dict name, before the update), and finally every parameter after the SGD update.
 * <p>
 * <b>Terms per tensor</b> (the {@code n} of {@link Tolerances}): a running count of the float32
 * terms summed so far in the step. A convolution with weight [K, C, R, S] adds C·R·S in forward and
 * K·R·S in backward, and its parameter gradients get the count of the incoming gradient plus N·P·Q;
 * a linear layer [out, in] adds in, out and N; every other layer adds 1; the loss adds N·classes.
 * A parameter after the update carries the sum of its gradients' counts over all steps so far,
 * since the update adds each step's gradient error to it.
 */
public final class ModelComparison implements AutoCloseable {
    private final Backend backendA;
    private final Backend backendB;
    private final Models architecture;
    private final Tolerances tolerances;
    private final Model modelA;
    private final Model modelB;
    private final Sgd optimizerA;
    private final Sgd optimizerB;
    private final Map<String, Long> parameterTerms = new HashMap<>();
    private int stepsDone;

    /** Creates the model on both backends, initialised from {@code seed}. */
    public ModelComparison(Backend a, Backend b, Models architecture, long seed, SgdSettings sgd, Tolerances tolerances) {
        this.backendA = a;
        this.backendB = b;
        this.architecture = architecture;
        this.tolerances = tolerances;
        this.modelA = architecture.create(a, seed);
        Model created = null;
        try {
            created = architecture.create(b, seed);
        } finally {
            if (created == null) modelA.close();
        }
        this.modelB = created;
        this.optimizerA = new Sgd(sgd);
        this.optimizerB = new Sgd(sgd);
    }

    /** Runs one step on both backends and compares it. */
    public StepReport step(Batch batch) {
        StepCapture a = StepCapture.run(modelA, optimizerA, batch);
        StepCapture b = StepCapture.run(modelB, optimizerB, batch);
        stepsDone++;
        return new StepReport(stepsDone, a.loss(), b.loss(), compare(a, b, batch.size()));
    }

    /**
     * Runs up to {@code steps} steps on the given batches (fewer if they run out), telling
     * {@code onStep} after each; with {@code failFast} it stops after the first step that disagrees.
     */
    public ComparisonReport run(Iterable<Batch> batches, int steps, boolean failFast, Map<String, Object> setup, Consumer<StepReport> onStep) {
        List<StepReport> reports = new ArrayList<>();
        Iterator<Batch> iterator = batches.iterator();
        while (reports.size() < steps && iterator.hasNext()) {
            StepReport report = step(iterator.next());
            reports.add(report);
            onStep.accept(report);
            if (failFast && !report.passed()) break;
        }
        return report(reports, setup);
    }

    /** A report of the given steps, with this comparison's backends, model and tolerances. */
    public ComparisonReport report(List<StepReport> steps, Map<String, Object> setup) {
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("model", architecture.id());
        all.putAll(setup);
        all.put("stepsRun", steps.size());
        return new ComparisonReport(backendA.name(), backendB.name(), "model " + architecture.id(), all, tolerances, steps);
    }

    private List<TensorDiff> compare(StepCapture a, StepCapture b, int batchSize) {
        if (a.layers().size() != b.layers().size()) {
            throw new IllegalStateException("the two models reported " + a.layers().size() + " and " + b.layers().size()
                    + " layer tensors; they must run the same architecture");
        }
        Map<String, Parameter> stateDict = modelA.stateDict();
        List<TensorDiff> diffs = new ArrayList<>();
        Map<String, Shape> outputShapes = new HashMap<>();
        Map<String, Long> gradientTerms = new HashMap<>();
        long running = 0;
        boolean lossCompared = false;
        for (int i = 0; i < a.layers().size(); i++) {
            StepCapture.LayerTensor x = a.layers().get(i);
            StepCapture.LayerTensor y = b.layers().get(i);
            if (x.forward() != y.forward() || !x.path().equals(y.path())) {
                throw new IllegalStateException("layer tensor " + i + " is " + x.path() + " on backend A but " + y.path() + " on backend B");
            }
            Parameter weight = stateDict.get(x.path() + ".weight");
            if (x.forward()) {
                outputShapes.put(x.path(), x.shape());
                running += weight == null ? 1 : forwardTerms(weight.shape());
                diffs.add(diff(x.path(), TensorKind.ACTIVATION, x.shape(), x.values(), y.values(), running));
                continue;
            }
            if (!lossCompared) {
                running = compareLoss(a, b, batchSize, running, diffs);
                lossCompared = true;
            }
            long incoming = running;
            running += weight == null ? 1 : backwardInputTerms(weight.shape());
            if (x.values() != null) { // null: the first layer, whose input (the data) needs no gradient
                TensorDiff gradient = diff(x.path(), TensorKind.ACTIVATION_GRAD, x.shape(), x.values(), y.values(), running);
                StepCapture.PoolInput poolA = a.maxPoolInputs().get(x.path());
                StepCapture.PoolInput poolB = b.maxPoolInputs().get(x.path());
                diffs.add(gradient.passed() || poolA == null || poolB == null ? gradient
                        : tieAware(gradient, poolA, poolB, x.values(), y.values()));
            }
            if (weight != null) {
                long terms = incoming + parameterGradTerms(outputShapes.get(x.path()), batchSize);
                String prefix = x.path() + ".";
                stateDict.forEach((name, parameter) -> {
                    if (name.startsWith(prefix) && name.indexOf('.', prefix.length()) < 0 && a.parameterGrads().containsKey(name)) {
                        gradientTerms.put(name, terms);
                        diffs.add(diff(name, TensorKind.PARAM_GRAD, parameter.shape(), a.parameterGrads().get(name),
                                b.parameterGrads().get(name), terms));
                    }
                });
            }
        }
        if (!lossCompared) compareLoss(a, b, batchSize, running, diffs);
        // Gradients not seen next to a layer (a layer outside any Sequential) still get compared.
        a.parameterGrads().forEach((name, values) -> {
            if (!gradientTerms.containsKey(name)) {
                gradientTerms.put(name, 1L);
                diffs.add(diff(name, TensorKind.PARAM_GRAD, stateDict.get(name).shape(), values, b.parameterGrads().get(name), 1));
            }
        });
        stateDict.forEach((name, parameter) -> {
            long terms = parameterTerms.merge(name, gradientTerms.getOrDefault(name, 0L), Long::sum);
            diffs.add(diff(name, TensorKind.PARAM, parameter.shape(), a.parameters().get(name), b.parameters().get(name), terms));
        });
        return diffs;
    }

    /**
     * A max-pooling input gradient that differs element by element, compared per group of tied maxima
     * ({@link MaxPoolTies}): passes, with a note naming the case, when the difference is only where a
     * window's gradient went among its tied maxima; otherwise the element-wise result stands, noted too.
     */
    private TensorDiff tieAware(TensorDiff elementwise, StepCapture.PoolInput poolA, StepCapture.PoolInput poolB, float[] a, float[] b) {
        MaxPoolTies ties = MaxPoolTies.of(poolA.shape(), poolA.spec(), poolA.values(), poolB.values());
        if (ties.tiedWindows() == 0 || b == null || a.length != b.length) return elementwise;
        TensorDiff grouped = diff(elementwise.tensor(), elementwise.kind(), elementwise.shape(), ties.canonical(a), ties.canonical(b),
                elementwise.terms());
        if (grouped.passed()) return grouped.withNote(ties.describeRouting(a, b));
        return elementwise.withNote("max-pool ties do not explain this difference: " + ties.tiedWindows()
                + " windows have tied maxima, but the gradient mass per group of tied maxima differs too");
    }

    private long compareLoss(StepCapture a, StepCapture b, int batchSize, long running, List<TensorDiff> diffs) {
        long terms = running + (long) batchSize * a.logitsShape().dim(-1);
        diffs.add(diff("loss", TensorKind.LOSS, Shape.of(), new float[] {a.loss()}, new float[] {b.loss()}, terms));
        diffs.add(diff("loss.grad_logits", TensorKind.ACTIVATION_GRAD, a.logitsShape(), a.gradLogits(), b.gradLogits(), terms));
        return terms;
    }

    private TensorDiff diff(String tensor, TensorKind kind, Shape shape, float[] a, float[] b, long terms) {
        float[] other = b != null ? b : new float[0];
        return TensorDiff.compare(tensor, kind, shape, a, other, terms, tolerances);
    }

    /** Terms summed into one output element: C·R·S for a conv weight [K, C, R, S], in for a linear [out, in]. */
    static long forwardTerms(Shape weight) {
        return weight.numel() / weight.dim(0);
    }

    /** Terms summed into one input-gradient element: K·R·S for a conv, out for a linear. */
    static long backwardInputTerms(Shape weight) {
        return weight.numel() / weight.dim(1);
    }

    /** Terms summed into one weight-gradient element: N·P·Q for a conv with output [N, K, P, Q], N for a linear. */
    static long parameterGradTerms(Shape output, int batchSize) {
        if (output == null) return batchSize;
        return output.numel() / output.dim(1);
    }

    public Model modelA() {
        return modelA;
    }

    public Model modelB() {
        return modelB;
    }

    @Override
    public void close() {
        try (modelA; modelB; optimizerA; optimizerB) {
            // closes all four, in reverse order, even when one fails
        }
    }
}
