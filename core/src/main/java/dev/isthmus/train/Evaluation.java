package dev.isthmus.train;

import dev.isthmus.nn.Model;

/** Accuracy and confusion matrix of a model on labelled batches. */
public record Evaluation(int samples, int correct, int[][] confusion) {

    /**
     * Classifies every batch in evaluation mode ({@code model.eval()}), then puts the model back in the
     * mode it was in; {@code confusion[actual][predicted]} counts samples.
     */
    public static Evaluation run(Model model, Iterable<Batch> batches, int classes) {
        boolean wasTraining = model.isTraining();
        model.eval();
        try {
            int[][] confusion = new int[classes][classes];
            int samples = 0;
            int correct = 0;
            for (Batch batch : batches) {
                int[] predicted = TrainingStep.predict(model, batch);
                for (int i = 0; i < predicted.length; i++) {
                    int actual = batch.labels()[i];
                    confusion[actual][predicted[i]]++;
                    if (actual == predicted[i]) correct++;
                }
                samples += predicted.length;
            }
            return new Evaluation(samples, correct, confusion);
        } finally {
            if (wasTraining) model.train();
        }
    }

    public double accuracy() {
        return samples == 0 ? 0 : (double) correct / samples;
    }
}
