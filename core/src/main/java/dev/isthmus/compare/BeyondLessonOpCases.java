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

/**
 * The {@link OpCase}s of the ops added beyond the lesson's networks (global average pooling, batch
 * normalisation, the elementwise product dropout uses); inputs drawn as {@link OpCase} describes.
 */
public final class BeyondLessonOpCases {
    private BeyondLessonOpCases() {
    }

    /**
     * {@code global-avgpool2d} ({@code AdaptiveAvgPool2d(1)}): outputs {@code output}, {@code grad_input}.
     *
     * @param input the input's shape [N, C, H, W]
     */
    public record GlobalAvgPool2d(Shape input) implements OpCase {
        /** Checks that the input is 4-D with an image of at least one pixel. */
        public GlobalAvgPool2d {
            if (input.rank() != 4 || input.dim(2) == 0 || input.dim(3) == 0) {
                throw new IllegalArgumentException("global-avgpool2d: input must be 4-D [N, C, H, W] with H and W at least 1, got " + input);
            }
        }

        @Override
        public String name() {
            return "global-avgpool2d";
        }

        @Override
        public Map<String, Object> describe() {
            return Map.of("input", input.toString());
        }

        @Override
        public List<OpCase.Output> evaluate(Backend backend, long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            Shape output = Shape.of(input.dim(0), input.dim(1), 1, 1);
            float[] x = OpCase.uniform(random, input, 1);
            float[] dy = OpCase.uniform(random, output, 1);
            long plane = (long) input.dim(2) * input.dim(3);
            List<OpCase.Output> outputs = new ArrayList<>();
            try (Tensor tx = backend.fromArray(input, x); Tensor tdy = backend.fromArray(output, dy); Tensor y = backend.globalAvgPool2d(tx);
                 Tensor dx = backend.globalAvgPool2dBackward(tx, tdy)) {
                outputs.add(new OpCase.Output("output", TensorKind.ACTIVATION, y.shape(), plane, y.toArray()));
                outputs.add(new OpCase.Output("grad_input", TensorKind.ACTIVATION_GRAD, dx.shape(), 1, dx.toArray()));
            }
            return outputs;
        }
    }

    /**
     * {@code batchnorm2d} (momentum 0.1, eps 1e-5): the training forward with its saved and running
     * statistics, the backward's three gradients, then the eval forward on the updated running statistics.
     *
     * @param input the input's shape [N, C, H, W]
     */
    public record BatchNorm2d(Shape input) implements OpCase {
        /** Checks that the input is 4-D with at least two values per channel (a variance needs them). */
        public BatchNorm2d {
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
        public List<OpCase.Output> evaluate(Backend backend, long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            Shape channels = Shape.of(input.dim(1));
            float[] x = OpCase.uniform(random, input, 2);
            for (int i = 0; i < x.length; i++) x[i] += 0.5f; // a mean away from zero, as after a convolution
            float[] dy = OpCase.uniform(random, input, 1);
            float[] w = OpCase.uniform(random, channels, 1);
            float[] b = OpCase.uniform(random, channels, 1);
            float[] runningVar = new float[input.dim(1)];
            Arrays.fill(runningVar, 1f);
            long m = input.numel() / Math.max(1, input.dim(1));
            List<OpCase.Output> outputs = new ArrayList<>();
            try (Tensor tx = backend.fromArray(input, x); Tensor tdy = backend.fromArray(input, dy); Tensor tw = backend.fromArray(channels, w);
                 Tensor tb = backend.fromArray(channels, b); Tensor rm = backend.zeros(channels); Tensor rv = backend.fromArray(channels, runningVar);
                 BatchNormOutput y = backend.batchNorm2dTraining(tx, tw, tb, rm, rv, 0.1, 1e-5)) {
                outputs.add(new OpCase.Output("output", TensorKind.ACTIVATION, input, 2 * m, y.output().toArray()));
                outputs.add(new OpCase.Output("saved_mean", TensorKind.ACTIVATION, channels, m, y.savedMean().toArray()));
                outputs.add(new OpCase.Output("saved_inv_std", TensorKind.ACTIVATION, channels, 2 * m, y.savedInvStd().toArray()));
                outputs.add(new OpCase.Output("running_mean", TensorKind.ACTIVATION, channels, m, rm.toArray()));
                outputs.add(new OpCase.Output("running_var", TensorKind.ACTIVATION, channels, 2 * m, rv.toArray()));
                try (BatchNormGradients g = backend.batchNorm2dBackward(tx, tdy, tw, y.savedMean(), y.savedInvStd(), 1e-5)) {
                    outputs.add(new OpCase.Output("grad_input", TensorKind.ACTIVATION_GRAD, input, 2 * m, g.gradInput().toArray()));
                    outputs.add(new OpCase.Output("grad_weight", TensorKind.PARAM_GRAD, channels, 2 * m, g.gradWeight().toArray()));
                    outputs.add(new OpCase.Output("grad_bias", TensorKind.PARAM_GRAD, channels, m, g.gradBias().toArray()));
                }
                try (Tensor eval = backend.batchNorm2dInference(tx, tw, tb, rm, rv, 1e-5)) {
                    outputs.add(new OpCase.Output("eval_output", TensorKind.ACTIVATION, input, 2, eval.toArray()));
                }
            }
            return outputs;
        }
    }

    /**
     * {@code multiply} (elementwise, as dropout applies its mask): outputs {@code output}, {@code grad_a}, {@code grad_b}.
     *
     * @param input the shape of both factors
     */
    public record Multiply(Shape input) implements OpCase {
        @Override
        public String name() {
            return "multiply";
        }

        @Override
        public Map<String, Object> describe() {
            return Map.of("input", input.toString());
        }

        @Override
        public List<OpCase.Output> evaluate(Backend backend, long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            float[] a = OpCase.uniform(random, input, 1);
            float[] b = OpCase.uniform(random, input, 2);
            float[] dy = OpCase.uniform(random, input, 1);
            List<OpCase.Output> outputs = new ArrayList<>();
            try (Tensor ta = backend.fromArray(input, a); Tensor tb = backend.fromArray(input, b); Tensor tdy = backend.fromArray(input, dy);
                 Tensor y = backend.multiply(ta, tb); Tensor da = backend.multiply(tdy, tb); Tensor db = backend.multiply(tdy, ta)) {
                outputs.add(new OpCase.Output("output", TensorKind.ACTIVATION, input, 1, y.toArray()));
                outputs.add(new OpCase.Output("grad_a", TensorKind.ACTIVATION_GRAD, input, 1, da.toArray()));
                outputs.add(new OpCase.Output("grad_b", TensorKind.ACTIVATION_GRAD, input, 1, db.toArray()));
            }
            return outputs;
        }
    }
}
