package dev.isthmus.compare;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.CrossEntropy;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static dev.isthmus.compare.BadArgument.of;

/**
 * {@code cross-entropy} on logits [N, classes] with random labels: outputs {@code loss}, {@code grad_logits}.
 *
 * @param logits [N, classes]
 */
public record CrossEntropyCase(Shape logits) implements OpCase {
    /** Checks that the logits are 2-D and not empty. */
    public CrossEntropyCase {
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
        float[] x = CaseInputs.uniform(random, logits, 4);
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

    @Override
    public Differentiation differentiation(Backend backend) {
        int[] labels = new int[logits.dim(0)];
        for (int i = 0; i < labels.length; i++) labels[i] = (i * 3 + 1) % logits.dim(1);
        return new Differentiation(new Tensor[] {CaseInputs.uniform(backend, 909, logits)}, List.of(new GradientPath.OfLoss("logits", 0, x -> {
            try (CrossEntropy r = backend.softmaxCrossEntropy(x[0], labels)) {
                return r.loss();
            }
        }, x -> {
            try (CrossEntropy r = backend.softmaxCrossEntropy(x[0], labels)) {
                return r.gradLogits().toArray();
            }
        })));
    }

    @Override
    public List<BadArgument> badArguments() {
        Shape logits = Shape.of(2, 10);
        String op = "softmaxCrossEntropy";
        return List.of(
                of(op, List.of(logits), (b, t) -> b.softmaxCrossEntropy(t[0], new int[] {3, 10}), "label 10", "index 1", "[2, 10]"),
                of(op, List.of(logits), (b, t) -> b.softmaxCrossEntropy(t[0], new int[] {-1, 0}), "label -1", "index 0"),
                of(op, List.of(logits), (b, t) -> b.softmaxCrossEntropy(t[0], new int[] {1}), "1 labels", "[2, 10]"),
                of(op, List.of(logits), (b, t) -> b.softmaxCrossEntropy(t[0], null), "labels", "null"),
                of(op, List.of(Shape.of(2, 10, 1, 1)), (b, t) -> b.softmaxCrossEntropy(t[0], new int[] {0, 0}), "logits", "[2, 10, 1, 1]"),
                of(op, List.of(Shape.of(0, 10)), (b, t) -> b.softmaxCrossEntropy(t[0], new int[0]), "empty", "[0, 10]"),
                of(op, List.of(Shape.of(2, 0)), (b, t) -> b.softmaxCrossEntropy(t[0], new int[] {0, 0}), "empty", "[2, 0]"));
    }
}
