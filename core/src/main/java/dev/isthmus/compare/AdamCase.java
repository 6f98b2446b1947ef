package dev.isthmus.compare;

import dev.isthmus.backend.AdamStep;
import dev.isthmus.backend.Backend;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static dev.isthmus.compare.BadArgument.of;

/**
 * {@code adam}: {@link #STEPS} steps of {@link Backend#adamStep} as Adam (L2 weight decay) and as AdamW (decoupled),
 * each from zero moments with a learning rate that changes every step; outputs the parameter and both moments of each.
 *
 * @param input the parameter's shape
 */
public record AdamCase(Shape input) implements OpCase {
    /** Steps per variant: enough for the bias corrections to differ from the first step's. */
    public static final int STEPS = 3;
    /** Weight decay of both variants, large enough to show in the result. */
    public static final double WEIGHT_DECAY = 0.05;
    private static final float FIRST_STEP_LR = 0.01f;

    @Override
    public String name() {
        return "adam";
    }

    @Override
    public Map<String, Object> describe() {
        return Map.of("input", input.toString(), "steps", STEPS, "betas", "0.9,0.999", "eps", 1e-8, "weight_decay", WEIGHT_DECAY);
    }

    @Override
    public List<Output> evaluate(Backend backend, long seed) {
        List<Output> outputs = new ArrayList<>();
        for (boolean decoupled : new boolean[] {false, true}) {
            SplittableRandom random = new SplittableRandom(seed);
            String prefix = decoupled ? "adamw_" : "adam_";
            try (Tensor param = backend.fromArray(input, CaseInputs.uniform(random, input, 1)); Tensor expAvg = backend.zeros(input);
                 Tensor expAvgSq = backend.zeros(input)) {
                for (int step = 1; step <= STEPS; step++) {
                    try (Tensor grad = backend.fromArray(input, CaseInputs.uniform(random, input, 1))) {
                        backend.adamStep(param, grad, expAvg, expAvgSq, new AdamStep(1e-2 * step, 0.9, 0.999, 1e-8, WEIGHT_DECAY, step, decoupled));
                    }
                }
                outputs.add(new Output(prefix + "param", TensorKind.PARAM, input, 1, param.toArray()));
                outputs.add(new Output(prefix + "exp_avg", TensorKind.PARAM, input, 1, expAvg.toArray()));
                outputs.add(new Output(prefix + "exp_avg_sq", TensorKind.PARAM, input, 1, expAvgSq.toArray()));
            }
        }
        return outputs;
    }

    /**
     * An update has no backward pass; what Adam's formula guarantees instead: from zero moments the bias
     * corrections cancel, so the first step moves every weight by lr·g/(|g| + eps), lr against the gradient's sign.
     */
    @Override
    public Differentiation differentiation(Backend backend) {
        Tensor[] in = {CaseInputs.uniform(backend, 911, input), CaseInputs.wellSeparated(backend, 912, input, 0.05f)};
        return new Differentiation(in, List.of(new GradientPath.Invariant("first step moves each weight by lr", 0, x -> {
            float[] before = x[0].toArray(), g = x[1].toArray();
            try (Tensor param = backend.fromArray(input, before); Tensor expAvg = backend.zeros(input); Tensor expAvgSq = backend.zeros(input)) {
                backend.adamStep(param, x[1], expAvg, expAvgSq, new AdamStep(FIRST_STEP_LR, 0.9, 0.999, 1e-8, 0, 1, false));
                float[] after = param.toArray();
                for (int i = 0; i < after.length; i++) {
                    double expected = -FIRST_STEP_LR * Math.signum(g[i]);
                    if (g[i] != 0 && Math.abs(after[i] - before[i] - expected) > 1e-6) {
                        return "element " + i + " of gradient " + g[i] + " moved by " + (after[i] - before[i]) + ", expected " + expected;
                    }
                }
            }
            return null;
        })));
    }

    @Override
    public List<BadArgument> badArguments() {
        List<Shape> shapes = List.of(Shape.of(3), Shape.of(4), Shape.of(3));
        AdamStep fine = new AdamStep(1e-3, 0.9, 0.999, 1e-8, 0, 1, false);
        return List.of(
                of("adamStep", shapes, (b, t) -> b.adamStep(t[0], t[1], t[2], t[2], fine), "grad", "[3]", "[4]"),
                of("adamStep", shapes, (b, t) -> b.adamStep(t[0], t[2], t[1], t[2], fine), "expAvg", "[4]"),
                of("adamStep", shapes, (b, t) -> b.adamStep(t[0], t[2], t[2], t[1], fine), "expAvgSq", "[4]"),
                of("adamStep", shapes, (b, t) -> b.adamStep(t[0], t[2], t[2], t[2], null), "AdamStep"),
                of("adamStep", shapes, (b, t) -> b.adamStep(t[0], t[2], t[2], t[2], new AdamStep(-1, 0.9, 0.999, 1e-8, 0, 1, false)),
                        "learning rate -1.0", ">= 0"),
                of("adamStep", shapes, (b, t) -> b.adamStep(t[0], t[2], t[2], t[2], new AdamStep(1e-3, 1, 0.999, 1e-8, 0, 1, false)),
                        "beta1 1.0", "[0, 1)"),
                of("adamStep", shapes, (b, t) -> b.adamStep(t[0], t[2], t[2], t[2], new AdamStep(1e-3, 0.9, -0.1, 1e-8, 0, 1, false)),
                        "beta2 -0.1", "[0, 1)"),
                of("adamStep", shapes, (b, t) -> b.adamStep(t[0], t[2], t[2], t[2], new AdamStep(1e-3, 0.9, 0.999, 0, 0, 1, true)),
                        "eps 0.0", "> 0"),
                of("adamStep", shapes, (b, t) -> b.adamStep(t[0], t[2], t[2], t[2], new AdamStep(1e-3, 0.9, 0.999, 1e-8, Double.NaN, 1, true)),
                        "weight decay NaN", ">= 0"),
                of("adamStep", shapes, (b, t) -> b.adamStep(t[0], t[2], t[2], t[2], new AdamStep(1e-3, 0.9, 0.999, 1e-8, 0, 0, false)),
                        "step 0", "from 1"));
    }
}
