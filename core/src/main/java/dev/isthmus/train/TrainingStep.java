package dev.isthmus.train;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.CrossEntropy;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.StepScope;
import dev.isthmus.tensor.Tensor;

/** One optimisation step: upload, forward, cross-entropy, backward, optimizer update. */
public final class TrainingStep {
    private TrainingStep() {
    }

    /**
     * Runs one step and returns the batch's mean loss. Throws {@link DivergedException} on a non-finite loss.
     * The step's activations and gradients are freed before it returns.
     *
     * @param model      the model, updated in place
     * @param optimizer  its optimizer
     * @param batch      the images and labels
     * @param stepNumber the step's number, for the message if it diverges
     * @return the batch's mean cross-entropy loss
     */
    public static float run(Model model, Optimizer optimizer, Batch batch, long stepNumber) {
        Backend backend = model.backend();
        float loss;
        try (StepScope scope = new StepScope()) {
            Tensor images = scope.track(backend.fromArray(batch.shape(), batch.images()));
            Tensor logits = model.forward(images, scope);
            CrossEntropy result = backend.softmaxCrossEntropy(logits, batch.labels());
            scope.track(result.gradLogits());
            loss = result.loss();
            if (!Float.isFinite(loss)) {
                throw DivergedException.locate(model, batch, stepNumber, loss);
            }
            model.backward(result.gradLogits(), scope);
        }
        optimizer.step(model);
        return loss;
    }

    /**
     * Predicted class per sample (arg-max of the logits). Frees the activations before it returns.
     *
     * @param model the model, as it is
     * @param batch the images (labels unused)
     * @return one class index per image
     */
    public static int[] predict(Model model, Batch batch) {
        float[] logits = Inference.logits(model, batch.shape(), batch.images());
        int classes = logits.length / batch.size();
        int[] predictions = new int[batch.size()];
        for (int i = 0; i < batch.size(); i++) predictions[i] = Inference.argMax(logits, i * classes, classes);
        return predictions;
    }
}
