package dev.isthmus.infer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A model's class probabilities for one image (the softmax of its outputs).
 *
 * @param probabilities one per class, summing to 1
 * @param classNames    the names of the classes, in index order
 * @param predicted     the class with the largest output (the first of equal ones), as evaluation counts it;
 *                      first among classes whose float probabilities round to the same value
 */
public record Prediction(float[] probabilities, List<String> classNames, int predicted) {

    /**
     * One class and its probability.
     *
     * @param index       the class's index (the model output)
     * @param name        the class's name
     * @param probability its probability
     */
    public record Scored(int index, String name, float probability) {
    }

    /** Checks that there is one name per probability. */
    public Prediction {
        if (probabilities.length != classNames.size()) {
            throw new IllegalArgumentException(probabilities.length + " probabilities for " + classNames.size() + " class names");
        }
        if (predicted < 0 || predicted >= probabilities.length) throw new IllegalArgumentException("no class " + predicted);
    }

    /** The softmax of {@code classes} logits starting at {@code offset}, computed in double precision. */
    static Prediction ofLogits(float[] logits, int offset, List<String> classNames) {
        int classes = classNames.size();
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) max = Math.max(max, logits[offset + c]);
        double[] exp = new double[classes];
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            exp[c] = Math.exp(logits[offset + c] - max);
            sum += exp[c];
        }
        float[] probabilities = new float[classes];
        for (int c = 0; c < classes; c++) probabilities[c] = (float) (exp[c] / sum);
        return new Prediction(probabilities, classNames, dev.isthmus.train.Inference.argMax(logits, offset, classes));
    }

    /**
     * The most probable classes, most probable first (ties: {@link #predicted()}, then lower index first).
     *
     * @param k how many (all when {@code k} is at least the number of classes)
     * @return up to {@code k} classes with their probabilities
     */
    public List<Scored> top(int k) {
        return new ArrayList<>(IntStream.range(0, probabilities.length).boxed()
                .sorted(Comparator.comparing((Integer c) -> -probabilities[c]).thenComparing(c -> c != predicted).thenComparing(c -> c))
                .limit(k)
                .map(c -> new Scored(c, classNames.get(c), probabilities[c]))
                .toList());
    }

    /**
     * The most probable class.
     *
     * @return {@link #predicted()} with its name and probability
     */
    public Scored best() {
        return top(1).getFirst();
    }
}
