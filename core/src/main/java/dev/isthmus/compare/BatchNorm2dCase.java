package dev.isthmus.compare;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.BatchNormGradients;
import dev.isthmus.backend.BatchNormOutput;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static dev.isthmus.compare.BadArgument.of;

/**
 * {@code batchnorm2d} (momentum 0.1, eps 1e-5): the training forward with its saved and running
 * statistics, the backward's three gradients, then the eval forward on the updated running statistics.
 *
 * @param input the input's shape [N, C, H, W]
 */
public record BatchNorm2dCase(Shape input) implements OpCase {
    /** Checks that the input is 4-D with at least two values per channel (a variance needs them). */
    public BatchNorm2dCase {
        if (input.rank() != 4 || (long) input.dim(0) * input.dim(2) * input.dim(3) < 2) {
            throw new IllegalArgumentException("batchnorm2d: input must be 4-D [N, C, H, W] with N·H·W at least 2, got " + input);
        }
    }

    @Override
    public String name() {
        return "batchnorm2d";
    }

    @Override
    public Map<String, Object> describe() {
        return Map.of("input", input.toString(), "momentum", 0.1, "eps", 1e-5);
    }

    @Override
    public List<Output> evaluate(Backend backend, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Shape channels = Shape.of(input.dim(1));
        float[] x = CaseInputs.uniform(random, input, 2);
        for (int i = 0; i < x.length; i++) x[i] += 0.5f; // a mean away from zero, as after a convolution
        float[] dy = CaseInputs.uniform(random, input, 1);
        float[] w = CaseInputs.uniform(random, channels, 1);
        float[] b = CaseInputs.uniform(random, channels, 1);
        float[] runningVar = new float[input.dim(1)];
        Arrays.fill(runningVar, 1f);
        long m = input.numel() / Math.max(1, input.dim(1));
        List<Output> outputs = new ArrayList<>();
        try (Tensor tx = backend.fromArray(input, x); Tensor tdy = backend.fromArray(input, dy); Tensor tw = backend.fromArray(channels, w);
             Tensor tb = backend.fromArray(channels, b); Tensor rm = backend.zeros(channels); Tensor rv = backend.fromArray(channels, runningVar);
             BatchNormOutput y = backend.batchNorm2dTraining(tx, tw, tb, rm, rv, 0.1, 1e-5)) {
            outputs.add(new Output("output", TensorKind.ACTIVATION, input, 2 * m, y.output().toArray()));
            outputs.add(new Output("saved_mean", TensorKind.ACTIVATION, channels, m, y.savedMean().toArray()));
            outputs.add(new Output("saved_inv_std", TensorKind.ACTIVATION, channels, 2 * m, y.savedInvStd().toArray()));
            outputs.add(new Output("running_mean", TensorKind.ACTIVATION, channels, m, rm.toArray()));
            outputs.add(new Output("running_var", TensorKind.ACTIVATION, channels, 2 * m, rv.toArray()));
            try (BatchNormGradients g = backend.batchNorm2dBackward(tx, tdy, tw, y.savedMean(), y.savedInvStd(), 1e-5)) {
                outputs.add(new Output("grad_input", TensorKind.ACTIVATION_GRAD, input, 2 * m, g.gradInput().toArray()));
                outputs.add(new Output("grad_weight", TensorKind.PARAM_GRAD, channels, 2 * m, g.gradWeight().toArray()));
                outputs.add(new Output("grad_bias", TensorKind.PARAM_GRAD, channels, m, g.gradBias().toArray()));
            }
            try (Tensor eval = backend.batchNorm2dInference(tx, tw, tb, rm, rv, 1e-5)) {
                outputs.add(new Output("eval_output", TensorKind.ACTIVATION, input, 2, eval.toArray()));
            }
        }
        return outputs;
    }

    /**
     * The training forward: the input's gradient includes the paths through the batch mean and
     * variance. Inputs 0–2 are x, weight, bias; 3–4 the running statistics (updated by every forward,
     * never read by the output).
     */
    @Override
    public Differentiation differentiation(Backend backend) {
        Shape channels = Shape.of(input.dim(1));
        Tensor[] in = {CaseInputs.uniform(backend, 913, input), CaseInputs.uniform(backend, 914, channels), CaseInputs.uniform(backend, 915, channels),
                backend.zeros(channels), backend.zeros(channels)};
        GradientPath.Forward forward = x -> {
            BatchNormOutput out = backend.batchNorm2dTraining(x[0], x[1], x[2], x[3], x[4], 0.1, 1e-5);
            out.savedMean().close();
            out.savedInvStd().close();
            return out.output();
        };
        List<GradientPath> paths = new ArrayList<>();
        String[] names = {"input", "weight", "bias"};
        for (int which = 0; which < names.length; which++) {
            int kept = which;
            paths.add(new GradientPath.ThroughOutput(names[which], which, forward, (x, y, dy) -> {
                try (BatchNormOutput out = backend.batchNorm2dTraining(x[0], x[1], x[2], x[3], x[4], 0.1, 1e-5)) {
                    BatchNormGradients g = backend.batchNorm2dBackward(x[0], dy, x[1], out.savedMean(), out.savedInvStd(), 1e-5);
                    Tensor[] all = {g.gradInput(), g.gradWeight(), g.gradBias()};
                    for (int i = 0; i < all.length; i++) if (i != kept) all[i].close();
                    return all[kept];
                }
            }));
        }
        return new Differentiation(in, paths);
    }

    @Override
    public List<BadArgument> badArguments() {
        Shape x = Shape.of(2, 3, 4, 5), c = Shape.of(3), wrong = Shape.of(4);
        String training = "batchNorm2dTraining", inference = "batchNorm2dInference", backward = "batchNorm2dBackward";
        return List.of(
                of(training, List.of(Shape.of(2, 3), c), (b, t) -> b.batchNorm2dTraining(t[0], t[1], t[1], t[1], t[1], 0.1, 1e-5), "input", "[2, 3]"),
                of(training, List.of(x, c, wrong), (b, t) -> b.batchNorm2dTraining(t[0], t[2], t[1], t[1], t[1], 0.1, 1e-5), "weight", "[4]", "3 channels"),
                of(training, List.of(x, c, wrong), (b, t) -> b.batchNorm2dTraining(t[0], t[1], t[1], t[1], t[2], 0.1, 1e-5), "runningVar", "[4]"),
                of(training, List.of(x, c), (b, t) -> b.batchNorm2dTraining(t[0], t[1], t[1], t[1], t[1], 1.5, 1e-5), "momentum", "1.5"),
                of(training, List.of(x, c), (b, t) -> b.batchNorm2dTraining(t[0], t[1], t[1], t[1], t[1], 0.1, 0), "eps", "positive"),
                of(training, List.of(Shape.of(1, 3, 1, 1), c), (b, t) -> b.batchNorm2dTraining(t[0], t[1], t[1], t[1], t[1], 0.1, 1e-5),
                        "[1, 3, 1, 1]", "at least 2"),
                of(inference, List.of(x, c, wrong), (b, t) -> b.batchNorm2dInference(t[0], t[1], t[2], t[1], t[1], 1e-5), "bias", "[4]"),
                of(inference, List.of(x, c), (b, t) -> b.batchNorm2dInference(t[0], t[1], t[1], t[1], t[1], Double.NaN), "eps", "NaN"),
                of(backward, List.of(x, Shape.of(2, 3, 4, 4), c), (b, t) -> b.batchNorm2dBackward(t[0], t[1], t[2], t[2], t[2], 1e-5),
                        "gradOutput", "[2, 3, 4, 4]"),
                of(backward, List.of(x, c, wrong), (b, t) -> b.batchNorm2dBackward(t[0], t[0], t[1], t[2], t[1], 1e-5), "savedMean", "[4]"));
    }
}
