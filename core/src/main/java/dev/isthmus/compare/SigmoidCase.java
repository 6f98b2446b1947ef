package dev.isthmus.compare;

import dev.isthmus.backend.Backend;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.util.List;

import static dev.isthmus.compare.BadArgument.of;

/**
 * {@code sigmoid}: outputs {@code output}, {@code grad_input}. Inputs span a few units so the
 * curve's flat tails are exercised as well as its middle.
 *
 * @param input any shape
 */
public record SigmoidCase(Shape input) implements ElementwiseCase {
    @Override
    public String name() {
        return "sigmoid";
    }

    @Override
    public List<Output> evaluate(Backend backend, long seed) {
        return evaluateActivation(backend, seed, 6, backend::sigmoid, backend::sigmoidBackward);
    }

    @Override
    public Differentiation differentiation(Backend backend) {
        return Differentiation.ofOne(CaseInputs.uniform(backend, 916, input), x -> backend.sigmoid(x[0]),
                (x, y, dy) -> backend.sigmoidBackward(y, dy));
    }

    @Override
    public List<BadArgument> badArguments() {
        return List.of(
                of("sigmoid", List.of(), (b, t) -> b.sigmoid(null), "input", "null"),
                of("sigmoidBackward", List.of(Shape.of(2, 9), Shape.of(2, 9, 1, 1)), (b, t) -> b.sigmoidBackward(t[0], t[1]), "[2, 9]", "[2, 9, 1, 1]"));
    }
}
