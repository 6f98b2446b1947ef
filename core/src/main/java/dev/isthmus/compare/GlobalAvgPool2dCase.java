package dev.isthmus.compare;

import dev.isthmus.backend.Backend;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static dev.isthmus.compare.BadArgument.of;

/**
 * {@code global-avgpool2d} ({@code AdaptiveAvgPool2d(1)}): outputs {@code output}, {@code grad_input}.
 *
 * @param input the input's shape [N, C, H, W]
 */
public record GlobalAvgPool2dCase(Shape input) implements ElementwiseCase {
    /** Checks that the input is 4-D with an image of at least one pixel. */
    public GlobalAvgPool2dCase {
        if (input.rank() != 4 || input.dim(2) == 0 || input.dim(3) == 0) {
            throw new IllegalArgumentException("global-avgpool2d: input must be 4-D [N, C, H, W] with H and W at least 1, got " + input);
        }
    }

    @Override
    public String name() {
        return "global-avgpool2d";
    }

    @Override
    public List<Output> evaluate(Backend backend, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Shape output = Shape.of(input.dim(0), input.dim(1), 1, 1);
        float[] x = CaseInputs.uniform(random, input, 1);
        float[] dy = CaseInputs.uniform(random, output, 1);
        long plane = (long) input.dim(2) * input.dim(3);
        List<Output> outputs = new ArrayList<>();
        try (Tensor tx = backend.fromArray(input, x); Tensor tdy = backend.fromArray(output, dy); Tensor y = backend.globalAvgPool2d(tx);
             Tensor dx = backend.globalAvgPool2dBackward(tx, tdy)) {
            outputs.add(new Output("output", TensorKind.ACTIVATION, y.shape(), plane, y.toArray()));
            outputs.add(new Output("grad_input", TensorKind.ACTIVATION_GRAD, dx.shape(), 1, dx.toArray()));
        }
        return outputs;
    }

    @Override
    public Differentiation differentiation(Backend backend) {
        return Differentiation.ofOne(CaseInputs.uniform(backend, 910, input), x -> backend.globalAvgPool2d(x[0]),
                (x, y, dy) -> backend.globalAvgPool2dBackward(x[0], dy));
    }

    @Override
    public List<BadArgument> badArguments() {
        return List.of(
                of("globalAvgPool2d", List.of(Shape.of(2, 3)), (b, t) -> b.globalAvgPool2d(t[0]), "input", "[2, 3]", "[N, C, H, W]"),
                of("globalAvgPool2d", List.of(Shape.of(2, 3, 0, 5)), (b, t) -> b.globalAvgPool2d(t[0]), "input", "[2, 3, 0, 5]", "no pixels"),
                of("globalAvgPool2dBackward", List.of(Shape.of(2, 3, 4, 5), Shape.of(2, 3, 2, 1)), (b, t) -> b.globalAvgPool2dBackward(t[0], t[1]),
                        "gradOutput", "[2, 3, 2, 1]", "[2, 3, 1, 1]"));
    }
}
