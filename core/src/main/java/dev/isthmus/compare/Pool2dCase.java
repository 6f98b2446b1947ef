package dev.isthmus.compare;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static dev.isthmus.compare.BadArgument.of;

/**
 * {@code maxpool2d} or {@code avgpool2d}: outputs {@code output}, {@code grad_input}.
 *
 * @param max   max pooling, else average
 * @param input [N, C, H, W]
 * @param spec  window, padding, stride
 */
public record Pool2dCase(boolean max, Shape input, Pool2dSpec spec) implements OpCase {
    /** Checks the shapes now, with the pooling op's message. */
    public Pool2dCase {
        spec.outputShape(max ? "maxPool2d" : "avgPool2d", input);
    }

    @Override
    public String name() {
        return max ? "maxpool2d" : "avgpool2d";
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> description = new LinkedHashMap<>();
        description.put("input", input.toString());
        description.put("kernel", spec.kernelH() + "x" + spec.kernelW());
        description.put("stride", spec.strideH());
        description.put("padding", spec.padH());
        return description;
    }

    @Override
    public List<Output> evaluate(Backend backend, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Shape output = spec.outputShape(name(), input);
        float[] x = CaseInputs.uniform(random, input, 1);
        float[] dy = CaseInputs.uniform(random, output, 1);
        // A max pool selects (no arithmetic); an average sums the window; backward of either sums overlapping windows.
        long window = (long) spec.kernelH() * spec.kernelW();
        List<Output> outputs = new ArrayList<>();
        try (Tensor tx = backend.fromArray(input, x); Tensor tdy = backend.fromArray(output, dy);
             Tensor y = max ? backend.maxPool2d(tx, spec) : backend.avgPool2d(tx, spec)) {
            outputs.add(new Output("output", TensorKind.ACTIVATION, y.shape(), max ? 1 : window, y.toArray()));
            try (Tensor dx = max ? backend.maxPool2dBackward(tx, y, tdy, spec) : backend.avgPool2dBackward(tx, tdy, spec)) {
                outputs.add(new Output("grad_input", TensorKind.ACTIVATION_GRAD, dx.shape(), window, dx.toArray()));
            }
        }
        return outputs;
    }

    @Override
    public Differentiation differentiation(Backend backend) {
        // Distinct values 0.05 apart: no ±h perturbation changes which element is a window's maximum.
        Tensor x = CaseInputs.wellSeparated(backend, 904, input, 0.05f);
        return max
                ? Differentiation.ofOne(x, in -> backend.maxPool2d(in[0], spec), (in, y, dy) -> backend.maxPool2dBackward(in[0], y, dy, spec))
                : Differentiation.ofOne(x, in -> backend.avgPool2d(in[0], spec), (in, y, dy) -> backend.avgPool2dBackward(in[0], dy, spec));
    }

    @Override
    public List<BadArgument> badArguments() {
        Shape in = Shape.of(1, 2, 4, 4), wrongOutput = Shape.of(1, 2, 3, 3), output = Shape.of(1, 2, 2, 2);
        Pool2dSpec two = Pool2dSpec.of(2), five = Pool2dSpec.of(5);
        if (max) {
            return List.of(
                    of("maxPool2d", List.of(Shape.of(4, 4)), (b, t) -> b.maxPool2d(t[0], two), "input", "[4, 4]"),
                    of("maxPool2d", List.of(in), (b, t) -> b.maxPool2d(t[0], five), "larger than the padded input", "[1, 2, 4, 4]"),
                    of("maxPool2dBackward", List.of(in, wrongOutput, output), (b, t) -> b.maxPool2dBackward(t[0], t[1], t[2], two),
                            "output", "[1, 2, 3, 3]"),
                    of("maxPool2dBackward", List.of(in, output, wrongOutput), (b, t) -> b.maxPool2dBackward(t[0], t[1], t[2], two),
                            "gradOutput", "[1, 2, 3, 3]"));
        }
        return List.of(
                of("avgPool2d", List.of(in), (b, t) -> b.avgPool2d(t[0], five), "larger than the padded input"),
                of("avgPool2dBackward", List.of(in, wrongOutput), (b, t) -> b.avgPool2dBackward(t[0], t[1], two), "gradOutput", "[1, 2, 3, 3]"));
    }
}
