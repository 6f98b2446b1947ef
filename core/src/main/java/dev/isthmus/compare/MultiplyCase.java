package dev.isthmus.compare;

import dev.isthmus.backend.Backend;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static dev.isthmus.compare.BadArgument.of;

/**
 * {@code multiply} (elementwise, as dropout applies its mask): outputs {@code output}, {@code grad_a}, {@code grad_b}.
 *
 * @param input the shape of both factors
 */
public record MultiplyCase(Shape input) implements ElementwiseCase {
    @Override
    public String name() {
        return "multiply";
    }

    @Override
    public List<Output> evaluate(Backend backend, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] a = CaseInputs.uniform(random, input, 1);
        float[] b = CaseInputs.uniform(random, input, 2);
        float[] dy = CaseInputs.uniform(random, input, 1);
        List<Output> outputs = new ArrayList<>();
        try (Tensor ta = backend.fromArray(input, a); Tensor tb = backend.fromArray(input, b); Tensor tdy = backend.fromArray(input, dy);
             Tensor y = backend.multiply(ta, tb); Tensor da = backend.multiply(tdy, tb); Tensor db = backend.multiply(tdy, ta)) {
            outputs.add(new Output("output", TensorKind.ACTIVATION, input, 1, y.toArray()));
            outputs.add(new Output("grad_a", TensorKind.ACTIVATION_GRAD, input, 1, da.toArray()));
            outputs.add(new Output("grad_b", TensorKind.ACTIVATION_GRAD, input, 1, db.toArray()));
        }
        return outputs;
    }

    @Override
    public Differentiation differentiation(Backend backend) {
        Tensor[] in = {CaseInputs.uniform(backend, 911, input), CaseInputs.uniform(backend, 912, input)};
        GradientPath.Forward forward = x -> backend.multiply(x[0], x[1]);
        return new Differentiation(in, List.of(
                new GradientPath.ThroughOutput("a", 0, forward, (x, y, dy) -> backend.multiply(dy, x[1])),
                new GradientPath.ThroughOutput("b", 1, forward, (x, y, dy) -> backend.multiply(dy, x[0]))));
    }

    @Override
    public List<BadArgument> badArguments() {
        return List.of(of("multiply", List.of(Shape.of(2, 9), Shape.of(2, 9, 1, 1)), (b, t) -> b.multiply(t[0], t[1]), "[2, 9]", "[2, 9, 1, 1]"));
    }
}
