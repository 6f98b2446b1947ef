package dev.isthmus.compare;

import dev.isthmus.backend.Backend;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static dev.isthmus.compare.BadArgument.of;

/**
 * {@code linear} [N, in] → [N, features] with bias: outputs {@code output}, {@code grad_input}, {@code grad_weight}, {@code grad_bias}.
 *
 * @param input    [N, in]
 * @param features the output features
 */
public record LinearCase(Shape input, int features) implements OpCase {
    /** Checks that the input is 2-D and the sizes positive. */
    public LinearCase {
        if (input.rank() != 2) {
            throw new IllegalArgumentException("linear: input must be 2-D [N, in], got " + input);
        }
        if (features <= 0) {
            throw new IllegalArgumentException("linear: the number of output features must be positive, got " + features);
        }
    }

    @Override
    public String name() {
        return "linear";
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> description = new LinkedHashMap<>();
        description.put("input", input.toString());
        description.put("features", features);
        return description;
    }

    @Override
    public List<Output> evaluate(Backend backend, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int batch = input.dim(0), in = input.dim(1);
        Shape weight = Shape.of(features, in);
        Shape output = Shape.of(batch, features);
        float[] x = CaseInputs.uniform(random, input, 1);
        float[] w = CaseInputs.uniform(random, weight, 1 / Math.sqrt(in));
        float[] b = CaseInputs.uniform(random, Shape.of(features), 1 / Math.sqrt(in));
        float[] dy = CaseInputs.uniform(random, output, 1);
        List<Output> outputs = new ArrayList<>();
        try (Tensor tx = backend.fromArray(input, x); Tensor tw = backend.fromArray(weight, w);
             Tensor tb = backend.fromArray(Shape.of(features), b); Tensor tdy = backend.fromArray(output, dy)) {
            try (Tensor y = backend.linear(tx, tw, tb)) {
                outputs.add(new Output("output", TensorKind.ACTIVATION, y.shape(), in, y.toArray()));
            }
            try (Tensor dx = backend.linearBackwardInput(tdy, tw)) {
                outputs.add(new Output("grad_input", TensorKind.ACTIVATION_GRAD, dx.shape(), features, dx.toArray()));
            }
            try (Tensor dw = backend.linearBackwardWeight(tx, tdy)) {
                outputs.add(new Output("grad_weight", TensorKind.PARAM_GRAD, dw.shape(), batch, dw.toArray()));
            }
            try (Tensor db = backend.linearBackwardBias(tdy)) {
                outputs.add(new Output("grad_bias", TensorKind.PARAM_GRAD, db.shape(), batch, db.toArray()));
            }
        }
        return outputs;
    }

    @Override
    public Differentiation differentiation(Backend backend) {
        Tensor[] in = {CaseInputs.uniform(backend, 906, input), CaseInputs.uniform(backend, 907, Shape.of(features, input.dim(1))),
                CaseInputs.uniform(backend, 908, Shape.of(features))};
        GradientPath.Forward forward = x -> backend.linear(x[0], x[1], x[2]);
        return new Differentiation(in, List.of(
                new GradientPath.ThroughOutput("input", 0, forward, (x, y, dy) -> backend.linearBackwardInput(dy, x[1])),
                new GradientPath.ThroughOutput("weight", 1, forward, (x, y, dy) -> backend.linearBackwardWeight(x[0], dy)),
                new GradientPath.ThroughOutput("bias", 2, forward, (x, y, dy) -> backend.linearBackwardBias(dy))));
    }

    @Override
    public List<BadArgument> badArguments() {
        Shape in = Shape.of(2, 3), w = Shape.of(4, 3), image = Shape.of(2, 3, 1, 1);
        return List.of(
                of("linear", List.of(in, Shape.of(4, 5)), (b, t) -> b.linear(t[0], t[1], null), "features", "[2, 3]", "[4, 5]"),
                of("linear", List.of(in, w, Shape.of(5)), (b, t) -> b.linear(t[0], t[1], t[2]), "bias", "[5]", "[4, 3]"),
                of("linear", List.of(image, w), (b, t) -> b.linear(t[0], t[1], null), "input", "[2, 3, 1, 1]", "flatten"),
                of("linearBackwardInput", List.of(Shape.of(2, 5), w), (b, t) -> b.linearBackwardInput(t[0], t[1]), "gradOutput", "[2, 5]", "[4, 3]"),
                of("linearBackwardWeight", List.of(in, Shape.of(3, 4)), (b, t) -> b.linearBackwardWeight(t[0], t[1]), "batch", "[2, 3]", "[3, 4]"),
                of("linearBackwardBias", List.of(image), (b, t) -> b.linearBackwardBias(t[0]), "gradOutput", "[2, 3, 1, 1]"));
    }
}
