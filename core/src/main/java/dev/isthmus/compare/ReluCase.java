package dev.isthmus.compare;

import dev.isthmus.backend.Backend;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.util.List;

import static dev.isthmus.compare.BadArgument.of;

/**
 * {@code relu}: outputs {@code output}, {@code grad_input}.
 *
 * @param input any shape
 */
public record ReluCase(Shape input) implements ElementwiseCase {
    @Override
    public String name() {
        return "relu";
    }

    @Override
    public List<Output> evaluate(Backend backend, long seed) {
        return evaluateActivation(backend, seed, 1, backend::relu, backend::reluBackward);
    }

    @Override
    public Differentiation differentiation(Backend backend) {
        // Values 0.05 apart and at least 0.025 from zero, beyond the ±0.01 perturbation.
        return Differentiation.ofOne(CaseInputs.wellSeparated(backend, 905, input, 0.05f), x -> backend.relu(x[0]),
                (x, y, dy) -> backend.reluBackward(y, dy));
    }

    @Override
    public List<BadArgument> badArguments() {
        return List.of(of("reluBackward", List.of(Shape.of(2, 9), Shape.of(2, 9, 1, 1)), (b, t) -> b.reluBackward(t[0], t[1]),
                "[2, 9]", "[2, 9, 1, 1]"));
    }
}
