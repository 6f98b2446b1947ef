package dev.isthmus.train;

import dev.isthmus.nn.Model;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The epoch loop: train on every batch, then evaluate. Stops cleanly between steps when asked
 * (Ctrl-C), so a checkpoint is never written from a half-applied step.
 */
public final class Trainer {

    /** Progress callbacks, e.g. a progress bar; all optional. */
    public interface Listener {
        /**
         * An epoch begins.
         *
         * @param epoch the epoch, from 1
         * @param steps how many steps it will take
         */
        default void epochStarted(int epoch, int steps) {
        }

        /**
         * A step is done.
         *
         * @param epoch     the epoch
         * @param step      the step, counted over the run
         * @param loss      the batch's mean loss
         * @param batchSize the batch's images
         */
        default void stepFinished(int epoch, long step, float loss, int batchSize) {
        }

        /**
         * An epoch, with its evaluation, is done.
         *
         * @param metrics what it achieved
         */
        default void epochFinished(EpochMetrics metrics) {
        }

        /**
         * CUDA graphs were asked for but the step could not be captured; steps run eagerly (said once).
         *
         * @param reason why capture failed
         */
        default void graphsUnavailable(String reason) {
        }
    }

    private final Model model;
    private final Optimizer optimizer;
    private final Listener listener;
    private final GraphedSteps graphed;
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private final ArrayDeque<Batch> unread = new ArrayDeque<>();
    private boolean fallbackReported;
    private long globalStep;

    /**
     * A loop over the given model and optimizer, which stay the caller's to close.
     *
     * @param model     the model to train
     * @param optimizer its optimizer
     * @param listener  progress callbacks
     */
    public Trainer(Model model, Optimizer optimizer, Listener listener) {
        this(model, optimizer, listener, null);
    }

    /**
     * A loop that runs its steps through {@code graphed} when given; model and optimizer stay the caller's to close.
     *
     * @param model     the model to train
     * @param optimizer its optimizer
     * @param listener  progress callbacks
     * @param graphed steps without host synchronisation (losses read every few steps), or null to run
     *                and read each step as it comes
     */
    public Trainer(Model model, Optimizer optimizer, Listener listener, GraphedSteps graphed) {
        this.model = model;
        this.optimizer = optimizer;
        this.listener = listener;
        this.graphed = graphed;
    }

    /** Asks the loop to stop after the current step; safe from any thread (signal handlers). */
    public void requestStop() {
        stopRequested.set(true);
    }

    /**
     * Whether a stop was asked for.
     *
     * @return true after {@link #requestStop()}
     */
    public boolean stopRequested() {
        return stopRequested.get();
    }

    /**
     * Steps done so far in the run.
     *
     * @return the step count
     */
    public long globalStep() {
        return globalStep;
    }

    /**
     * Continues the step count of a resumed run, and with it the model's dropout masks.
     *
     * @param step the steps already done
     */
    public void setGlobalStep(long step) {
        this.globalStep = step;
        model.seekDropout(step);
    }

    /**
     * Trains one epoch and evaluates on {@code test}.
     *
     * @param epoch   the epoch, from 1
     * @param train   the epoch's training batches
     * @param steps   how many there are (for progress)
     * @param test    the evaluation batches
     * @param classes the number of classes
     * @return the metrics, or null when a stop was requested before the epoch completed
     */
    public EpochMetrics epoch(int epoch, Iterable<Batch> train, int steps, Iterable<Batch> test, int classes) {
        listener.epochStarted(epoch, steps);
        long start = System.nanoTime();
        double lossSum = 0;
        long images = 0;
        int batches = 0;
        for (Batch batch : train) {
            if (stopRequested.get()) {
                if (graphed != null) reportGraphed(epoch, graphed.read());
                return null;
            }
            images += batch.size();
            batches++;
            if (graphed != null) {
                unread.add(batch);
                lossSum += reportGraphed(epoch, graphed.step(batch));
                continue;
            }
            float loss = TrainingStep.run(model, optimizer, batch, globalStep);
            globalStep++;
            lossSum += loss;
            listener.stepFinished(epoch, globalStep, loss, batch.size());
        }
        if (graphed != null) lossSum += reportGraphed(epoch, graphed.read());
        double seconds = (System.nanoTime() - start) / 1e9;
        double accuracy = Evaluation.run(model, test, classes).accuracy();
        EpochMetrics metrics = new EpochMetrics(epoch, lossSum / Math.max(1, batches), accuracy, seconds, images / seconds,
                optimizer.learningRate(), graphed == null ? "off" : graphed.mode());
        listener.epochFinished(metrics);
        return metrics;
    }

    /** Reports losses read from the device, oldest first; a non-finite one stops training (exit 5). Returns their sum. */
    private double reportGraphed(int epoch, float[] losses) {
        if (!fallbackReported && graphed.fallbackReason() != null) {
            fallbackReported = true;
            listener.graphsUnavailable(graphed.fallbackReason());
        }
        double sum = 0;
        for (float loss : losses) {
            Batch batch = unread.remove();
            if (!Float.isFinite(loss)) {
                unread.clear();
                throw DivergedException.locate(model, batch, globalStep, loss);
            }
            globalStep++;
            sum += loss;
            listener.stepFinished(epoch, globalStep, loss, batch.size());
        }
        return sum;
    }
}
