package dev.isthmus.compare;

import dev.isthmus.backend.Backend;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Single-op mode: one op's forward and backward outputs on two backends, from the same random inputs. */
public final class OpComparison {
    private OpComparison() {
    }

    /**
     * Evaluates {@code op} on both backends from the same inputs and compares every output.
     *
     * @param a          the reference backend
     * @param b          the backend under test
     * @param op         the op and its shapes
     * @param seed       the inputs' seed
     * @param tolerances the tolerances
     * @return a one-step report
     */
    public static ComparisonReport run(Backend a, Backend b, OpCase op, long seed, Tolerances tolerances) {
        List<OpCase.Output> outputsA = op.evaluate(a, seed);
        List<OpCase.Output> outputsB = op.evaluate(b, seed);
        List<TensorDiff> diffs = new ArrayList<>();
        float lossA = Float.NaN, lossB = Float.NaN;
        for (int i = 0; i < outputsA.size(); i++) {
            OpCase.Output x = outputsA.get(i);
            OpCase.Output y = outputsB.get(i);
            diffs.add(TensorDiff.compare(x.name(), x.kind(), x.shape(), x.values(), y.values(), x.terms(), tolerances));
            if (x.kind() == TensorKind.LOSS) {
                lossA = x.values()[0];
                lossB = y.values()[0];
            }
        }
        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put("op", op.name());
        setup.putAll(op.describe());
        setup.put("seed", seed);
        return new ComparisonReport(a.name(), b.name(), "op " + op.name(), setup, tolerances,
                List.of(new StepReport(1, lossA, lossB, diffs)));
    }
}
