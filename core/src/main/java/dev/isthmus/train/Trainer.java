package dev.isthmus.train;

import dev.isthmus.nn.Model;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The epoch loop: train on every batch, then evaluate. Stops cleanly between steps when asked
 * (Ctrl-C), so a checkpoint is never written from a half-applied step.
 */
public final class Trainer {

    /** Progress callbacks, e.g. a progress bar; all optional. */
    public interface Listener {
        default void epochStarted(int epoch, int steps) {
        }

        default void stepFinished(int epoch, long step, float loss, int batchSize) {
        }

        default void epochFinished(EpochMetrics metrics) {
        }
    }

    private final Model model;
    private final Sgd optimizer;
    private final Listener listener;
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private long globalStep;

    public Trainer(Model model, Sgd optimizer, Listener listener) {
        this.model = model;
        this.optimizer = optimizer;
        this.listener = listener;
    }

    /** Asks the loop to stop after the current step; safe from any thread (signal handlers). */
    public void requestStop() {
        stopRequested.set(true);
    }

    public boolean stopRequested() {
        return stopRequested.get();
    }

    public long globalStep() {
        return globalStep;
    }

    /** Continues the step count of a resumed run. */
    public void setGlobalStep(long step) {
        this.globalStep = step;
    }

    /**
     * Trains one epoch and evaluates on {@code test}.
     *
     * @return the metrics, or null when a stop was requested before the epoch completed
     */
    public EpochMetrics epoch(int epoch, Iterable<Batch> train, int steps, Iterable<Batch> test, int classes) {
        listener.epochStarted(epoch, steps);
        long start = System.nanoTime();
        double lossSum = 0;
        long images = 0;
        int batches = 0;
        for (Batch batch : train) {
            if (stopRequested.get()) return null;
            float loss = TrainingStep.run(model, optimizer, batch, globalStep);
            globalStep++;
            lossSum += loss;
            images += batch.size();
            batches++;
            listener.stepFinished(epoch, globalStep, loss, batch.size());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double accuracy = Evaluation.run(model, test, classes).accuracy();
        EpochMetrics metrics = new EpochMetrics(epoch, lossSum / Math.max(1, batches), accuracy, seconds, images / seconds,
                optimizer.settings().learningRate());
        listener.epochFinished(metrics);
        return metrics;
    }
}
