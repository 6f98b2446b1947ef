package dev.isthmus.compare;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The result of comparing two backends step by step.
 *
 * @param backendA   name of backend A, the reference side of the allclose rule
 * @param backendB   name of backend B
 * @param subject    what was run: {@code model cnn} or {@code op conv2d}
 * @param setup      the run's settings in a stable order (batch size, seed, data, shapes, ...), for reports
 * @param tolerances the base tolerances used
 * @param steps      one report per step run, in order
 */
public record ComparisonReport(String backendA, String backendB, String subject, Map<String, Object> setup,
                               Tolerances tolerances, List<StepReport> steps) {

    public ComparisonReport {
        setup = Collections.unmodifiableMap(new LinkedHashMap<>(setup));
        steps = List.copyOf(steps);
    }

    public boolean passed() {
        return steps.stream().allMatch(StepReport::passed);
    }

    /** The first step beyond tolerance and, in it, the first tensor beyond tolerance. */
    public Optional<Mismatch> firstMismatch() {
        for (StepReport step : steps) {
            Optional<TensorDiff> failure = step.firstFailure();
            if (failure.isPresent()) return Optional.of(new Mismatch(step.step(), failure.get()));
        }
        return Optional.empty();
    }

    /** The tensor and step that used the largest share of their tolerance over the whole run; empty when all values are equal. */
    public Optional<Mismatch> worst() {
        Mismatch worst = null;
        for (StepReport step : steps) {
            Optional<TensorDiff> candidate = step.worst();
            if (candidate.isPresent() && (worst == null || candidate.get().worstRatio() > worst.diff().worstRatio())) {
                worst = new Mismatch(step.step(), candidate.get());
            }
        }
        return Optional.ofNullable(worst);
    }

    /**
     * One line per tensor that was not compared element by element at some step (a max-pooling input
     * gradient compared tie-aware, see {@link MaxPoolTies}): how many steps, and the first step's note.
     */
    public List<String> notes() {
        Map<String, List<String>> byTensor = new LinkedHashMap<>();
        for (StepReport step : steps) {
            for (TensorDiff diff : step.tensors()) {
                if (diff.note() != null) {
                    byTensor.computeIfAbsent(diff.label(), label -> new ArrayList<>()).add("step " + step.step() + ": " + diff.note());
                }
            }
        }
        List<String> lines = new ArrayList<>();
        byTensor.forEach((label, notes) -> lines.add(label + ", " + notes.size() + " of " + steps.size() + " steps; first at "
                + notes.getFirst()));
        return List.copyOf(lines);
    }

    /** Per tensor (in computation order), its worst values over all steps. */
    public List<LayerSummary> layerSummary() {
        Map<String, LayerSummary> byTensor = new LinkedHashMap<>();
        for (StepReport step : steps) {
            for (TensorDiff diff : step.tensors()) {
                String key = diff.kind().id() + " " + diff.tensor();
                LayerSummary previous = byTensor.get(key);
                if (previous == null) {
                    byTensor.put(key, new LayerSummary(diff.tensor(), diff.kind(), diff.maxAbs(), diff.maxRel(), diff.worstRatio(), step.step()));
                } else {
                    boolean worse = diff.worstRatio() > previous.worstRatio();
                    byTensor.put(key, new LayerSummary(diff.tensor(), diff.kind(),
                            Math.max(previous.maxAbs(), diff.maxAbs()), Math.max(previous.maxRel(), diff.maxRel()),
                            worse ? diff.worstRatio() : previous.worstRatio(), worse ? step.step() : previous.worstStep()));
                }
            }
        }
        return Collections.unmodifiableList(new ArrayList<>(byTensor.values()));
    }
}
