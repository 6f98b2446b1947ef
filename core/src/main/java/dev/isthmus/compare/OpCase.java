package dev.isthmus.compare;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.backend.CrossEntropy;
import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One op with its shapes, evaluated forward and backward on random inputs drawn on the host from a
 * seed (so both backends get identical inputs). Inputs and output gradients are uniform in [-1, 1];
 * weights and biases uniform in ±1/√fan_in like PyTorch's initialisation, so outputs stay O(1).
 */
public sealed interface OpCase permits OpCase.Conv2d, OpCase.Pool2d, OpCase.Relu, OpCase.Linear, OpCase.CrossEntropyLoss,
        BeyondLessonOpCases.GlobalAvgPool2d, BeyondLessonOpCases.BatchNorm2d, BeyondLessonOpCases.Multiply, OptimizerOpCases.AdamUpdate {

    /**
     * The op's name on the command line: {@code conv2d}, {@code maxpool2d}, ...
     *
     * @return the name
     */
    String name();

    /**
     * The shapes and settings, for reports.
     *
     * @return settings by name
     */
    Map<String, Object> describe();

    /**
     * Every output of the forward and backward pass, in the order computed, copied to the host.
     * Tensors allocated on {@code backend} are freed before it returns.
     *
     * @param backend the backend that computes
     * @param seed    the inputs' seed
     * @return the outputs (Java heap)
     */
    List<Output> evaluate(Backend backend, long seed);

    /**
     * One result of the op.
     *
     * @param name   the output's name, e.g. {@code grad_input}
     * @param kind   what it is
     * @param shape  its shape
     * @param terms  float32 terms summed into each element (see {@link Tolerances})
     * @param values its values
     */
    record Output(String name, TensorKind kind, Shape shape, long terms, float[] values) {
    }

    /**
     * {@code conv2d} with bias: outputs {@code output}, {@code grad_input}, {@code grad_weight}, {@code grad_bias}.
     *
     * @param input  [N, C, H, W]
     * @param weight [K, C, R, S]
     * @param spec   padding, stride, dilation
     */
    record Conv2d(Shape input, Shape weight, Conv2dSpec spec) implements OpCase {
        /** Checks the shapes now, with conv2d's message. */
        public Conv2d {
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
            float[] x = uniform(random, input, 1);
            float[] w = uniform(random, weight, 1 / Math.sqrt(fanIn));
            float[] b = uniform(random, Shape.of(weight.dim(0)), 1 / Math.sqrt(fanIn));
            float[] dy = uniform(random, output, 1);
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
    }

    /**
     * {@code maxpool2d} or {@code avgpool2d}: outputs {@code output}, {@code grad_input}.
     *
     * @param max   max pooling, else average
     * @param input [N, C, H, W]
     * @param spec  window, padding, stride
     */
    record Pool2d(boolean max, Shape input, Pool2dSpec spec) implements OpCase {
        /** Checks the shapes now, with the pooling op's message. */
        public Pool2d {
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
            float[] x = uniform(random, input, 1);
            float[] dy = uniform(random, output, 1);
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
    }

    /**
     * {@code relu}: outputs {@code output}, {@code grad_input}.
     *
     * @param input any shape
     */
    record Relu(Shape input) implements OpCase {
        @Override
        public String name() {
            return "relu";
        }

        @Override
        public Map<String, Object> describe() {
            return Map.of("input", input.toString());
        }

        @Override
        public List<Output> evaluate(Backend backend, long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            float[] x = uniform(random, input, 1);
            float[] dy = uniform(random, input, 1);
            List<Output> outputs = new ArrayList<>();
            try (Tensor tx = backend.fromArray(input, x); Tensor tdy = backend.fromArray(input, dy); Tensor y = backend.relu(tx)) {
                outputs.add(new Output("output", TensorKind.ACTIVATION, y.shape(), 1, y.toArray()));
                try (Tensor dx = backend.reluBackward(y, tdy)) {
                    outputs.add(new Output("grad_input", TensorKind.ACTIVATION_GRAD, dx.shape(), 1, dx.toArray()));
                }
            }
            return outputs;
        }
    }

    /**
     * {@code linear} [N, in] → [N, features] with bias: outputs {@code output}, {@code grad_input}, {@code grad_weight}, {@code grad_bias}.
     *
     * @param input    [N, in]
     * @param features the output features
     */
    record Linear(Shape input, int features) implements OpCase {
        /** Checks that the input is 2-D and the sizes positive. */
        public Linear {
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
            float[] x = uniform(random, input, 1);
            float[] w = uniform(random, weight, 1 / Math.sqrt(in));
            float[] b = uniform(random, Shape.of(features), 1 / Math.sqrt(in));
            float[] dy = uniform(random, output, 1);
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
    }

    /**
     * {@code cross-entropy} on logits [N, classes] with random labels: outputs {@code loss}, {@code grad_logits}.
     *
     * @param logits [N, classes]
     */
    record CrossEntropyLoss(Shape logits) implements OpCase {
        /** Checks that the logits are 2-D and not empty. */
        public CrossEntropyLoss {
            if (logits.rank() != 2 || logits.dim(0) == 0 || logits.dim(1) == 0) {
                throw new IllegalArgumentException("cross-entropy: logits must be 2-D [N, classes] with N and classes at least 1, got " + logits);
            }
        }

        @Override
        public String name() {
            return "cross-entropy";
        }

        @Override
        public Map<String, Object> describe() {
            return Map.of("logits", logits.toString());
        }

        @Override
        public List<Output> evaluate(Backend backend, long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            // Logits of a few units, like a network's: large enough that the max shift matters.
            float[] x = uniform(random, logits, 4);
            int[] labels = new int[logits.dim(0)];
            for (int i = 0; i < labels.length; i++) labels[i] = random.nextInt(logits.dim(1));
            List<Output> outputs = new ArrayList<>();
            try (Tensor tx = backend.fromArray(logits, x); CrossEntropy result = backend.softmaxCrossEntropy(tx, labels)) {
                outputs.add(new Output("loss", TensorKind.LOSS, Shape.of(), logits.numel(), new float[] {result.loss()}));
                outputs.add(new Output("grad_logits", TensorKind.ACTIVATION_GRAD, result.gradLogits().shape(), logits.dim(1),
                        result.gradLogits().toArray()));
            }
            return outputs;
        }
    }

    /**
     * {@code shape.numel()} values uniform in [-bound, bound).
     *
     * @param random the generator
     * @param shape  how many values
     * @param bound  the range's half-width
     * @return the values
     */
    static float[] uniform(SplittableRandom random, Shape shape, double bound) {
        float[] values = new float[Math.toIntExact(shape.numel())];
        for (int i = 0; i < values.length; i++) values[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
        return values;
    }
}
