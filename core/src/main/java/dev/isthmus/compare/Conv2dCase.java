package dev.isthmus.compare;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static dev.isthmus.compare.BadArgument.of;

/**
 * {@code conv2d} with bias: outputs {@code output}, {@code grad_input}, {@code grad_weight}, {@code grad_bias}.
 *
 * @param input  [N, C, H, W]
 * @param weight [K, C, R, S]
 * @param spec   padding, stride, dilation
 */
public record Conv2dCase(Shape input, Shape weight, Conv2dSpec spec) implements OpCase {
    /** Checks the shapes now, with conv2d's message. */
    public Conv2dCase {
        spec.outputShape(input, weight); // validate now, with conv2d's message
    }

    @Override
    public String name() {
        return "conv2d";
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> description = new LinkedHashMap<>();
        description.put("input", input.toString());
        description.put("weight", weight.toString());
        description.put("stride", spec.strideH());
        description.put("padding", spec.padH());
        description.put("dilation", spec.dilationH());
        return description;
    }

    @Override
    public List<Output> evaluate(Backend backend, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Shape output = spec.outputShape(input, weight);
        int fanIn = weight.dim(1) * weight.dim(2) * weight.dim(3);
        float[] x = CaseInputs.uniform(random, input, 1);
        float[] w = CaseInputs.uniform(random, weight, 1 / Math.sqrt(fanIn));
        float[] b = CaseInputs.uniform(random, Shape.of(weight.dim(0)), 1 / Math.sqrt(fanIn));
        float[] dy = CaseInputs.uniform(random, output, 1);
        long spatialTerms = output.numel() / output.dim(1);
        List<Output> outputs = new ArrayList<>();
        try (Tensor tx = backend.fromArray(input, x); Tensor tw = backend.fromArray(weight, w);
             Tensor tb = backend.fromArray(Shape.of(weight.dim(0)), b); Tensor tdy = backend.fromArray(output, dy)) {
            try (Tensor y = backend.conv2d(tx, tw, tb, spec)) {
                outputs.add(new Output("output", TensorKind.ACTIVATION, y.shape(), fanIn, y.toArray()));
            }
            try (Tensor dx = backend.conv2dBackwardInput(tdy, tw, input, spec)) {
                outputs.add(new Output("grad_input", TensorKind.ACTIVATION_GRAD, dx.shape(), weight.numel() / weight.dim(1), dx.toArray()));
            }
            try (Tensor dw = backend.conv2dBackwardWeight(tx, tdy, weight, spec)) {
                outputs.add(new Output("grad_weight", TensorKind.PARAM_GRAD, dw.shape(), spatialTerms, dw.toArray()));
            }
            try (Tensor db = backend.conv2dBackwardBias(tdy)) {
                outputs.add(new Output("grad_bias", TensorKind.PARAM_GRAD, db.shape(), spatialTerms, db.toArray()));
            }
        }
        return outputs;
    }

    @Override
    public Differentiation differentiation(Backend backend) {
        Tensor[] in = {CaseInputs.uniform(backend, 901, input), CaseInputs.uniform(backend, 902, weight),
                CaseInputs.uniform(backend, 903, Shape.of(weight.dim(0)))};
        GradientPath.Forward forward = x -> backend.conv2d(x[0], x[1], x[2], spec);
        return new Differentiation(in, List.of(
                new GradientPath.ThroughOutput("input", 0, forward, (x, y, dy) -> backend.conv2dBackwardInput(dy, x[1], x[0].shape(), spec)),
                new GradientPath.ThroughOutput("weight", 1, forward, (x, y, dy) -> backend.conv2dBackwardWeight(x[0], dy, x[1].shape(), spec)),
                new GradientPath.ThroughOutput("bias", 2, forward, (x, y, dy) -> backend.conv2dBackwardBias(dy))));
    }

    @Override
    public List<BadArgument> badArguments() {
        Shape in = Shape.of(1, 3, 5, 5), w = Shape.of(2, 3, 3, 3), otherChannels = Shape.of(2, 4, 3, 3), dy = Shape.of(1, 2, 4, 4);
        Conv2dSpec plain = Conv2dSpec.defaults();
        return List.of(
                of("conv2d", List.of(in, otherChannels), (b, t) -> b.conv2d(t[0], t[1], null, plain), "channels", "[1, 3, 5, 5]", "[2, 4, 3, 3]"),
                of("conv2d", List.of(in, w, Shape.of(3)), (b, t) -> b.conv2d(t[0], t[1], t[2], plain), "bias", "[3]", "[2, 3, 3, 3]"),
                of("conv2d", List.of(Shape.of(3, 5, 5), w), (b, t) -> b.conv2d(t[0], t[1], null, plain), "input", "[3, 5, 5]"),
                of("conv2d", List.of(in, w), (b, t) -> b.conv2d(t[0], t[1], null, null), "spec"),
                of("conv2d", List.of(in, w), (b, t) -> b.conv2d(t[0], t[1], null, Conv2dSpec.of(1, 0, 3)), "larger than the padded input"),
                of("conv2dBackwardInput", List.of(dy, w), (b, t) -> b.conv2dBackwardInput(t[0], t[1], in, plain),
                        "gradOutput", "[1, 2, 4, 4]", "[1, 2, 3, 3]"),
                of("conv2dBackwardInput", List.of(dy, otherChannels), (b, t) -> b.conv2dBackwardInput(t[0], t[1], in, plain), "channels"),
                of("conv2dBackwardWeight", List.of(in, dy), (b, t) -> b.conv2dBackwardWeight(t[0], t[1], w, plain),
                        "gradOutput", "[1, 2, 4, 4]", "[1, 2, 3, 3]"),
                of("conv2dBackwardBias", List.of(Shape.of(2, 2)), (b, t) -> b.conv2dBackwardBias(t[0]), "gradOutput", "[2, 2]"));
    }
}
