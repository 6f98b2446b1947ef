package dev.isthmus.compare;

import dev.isthmus.backend.AdamStep;
import dev.isthmus.backend.Backend;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** The {@link OpCase}s of the optimizer updates; inputs drawn as {@link OpCase} describes. */
public final class OptimizerOpCases {
    private OptimizerOpCases() {
    }

    /**
     * {@code adam}: {@link #STEPS} steps of {@link Backend#adamStep} as Adam (L2 weight decay) and as AdamW (decoupled),
     * each from zero moments with a learning rate that changes every step; outputs the parameter and both moments of each.
     *
     * @param input the parameter's shape
     */
    public record AdamUpdate(Shape input) implements OpCase {
        /** Steps per variant: enough for the bias corrections to differ from the first step's. */
        public static final int STEPS = 3;
        /** Weight decay of both variants, large enough to show in the result. */
        public static final double WEIGHT_DECAY = 0.05;

        @Override
        public String name() {
            return "adam";
        }

        @Override
        public Map<String, Object> describe() {
            return Map.of("input", input.toString(), "steps", STEPS, "betas", "0.9,0.999", "eps", 1e-8, "weight_decay", WEIGHT_DECAY);
        }

        @Override
        public List<OpCase.Output> evaluate(Backend backend, long seed) {
            List<OpCase.Output> outputs = new ArrayList<>();
            for (boolean decoupled : new boolean[] {false, true}) {
                SplittableRandom random = new SplittableRandom(seed);
                String prefix = decoupled ? "adamw_" : "adam_";
                try (Tensor param = backend.fromArray(input, OpCase.uniform(random, input, 1)); Tensor expAvg = backend.zeros(input);
                     Tensor expAvgSq = backend.zeros(input)) {
                    for (int step = 1; step <= STEPS; step++) {
                        try (Tensor grad = backend.fromArray(input, OpCase.uniform(random, input, 1))) {
                            backend.adamStep(param, grad, expAvg, expAvgSq, new AdamStep(1e-2 * step, 0.9, 0.999, 1e-8, WEIGHT_DECAY, step, decoupled));
                        }
                    }
                    outputs.add(new OpCase.Output(prefix + "param", TensorKind.PARAM, input, 1, param.toArray()));
                    outputs.add(new OpCase.Output(prefix + "exp_avg", TensorKind.PARAM, input, 1, expAvg.toArray()));
                    outputs.add(new OpCase.Output(prefix + "exp_avg_sq", TensorKind.PARAM, input, 1, expAvgSq.toArray()));
                }
            }
            return outputs;
        }
    }
}
