package dev.isthmus.train;

import dev.isthmus.backend.Backend;
import dev.isthmus.nn.Model;

import java.util.Map;

/**
 * An optimizer that updates a model's parameters in place on their backend and keeps per-parameter state
 * (momentum, or Adam's moments and step counts) in the backend's memory. Its state, by
 * {@code <buffer>.<parameter name>} ({@code momentum.fc1.weight}, {@code exp_avg.fc1.weight},
 * {@code exp_avg_sq.fc1.weight}, {@code step.fc1.weight}), is what checkpoints save and {@code --resume} restores.
 * Close it (try-with-resources) when training ends.
 */
public sealed interface Optimizer extends AutoCloseable permits Sgd, Adam {

    /**
     * The name {@code --optimizer} takes and checkpoints record: {@code sgd}, {@code adam} or {@code adamw}.
     *
     * @return the name
     */
    String name();

    /**
     * The hyper-parameters, a record that a captured CUDA graph compares to know its scalars are still current.
     *
     * @return the current settings (with the learning rate a schedule last set)
     */
    Record settings();

    /**
     * The learning rate of the next step.
     *
     * @return it, as metrics report it
     */
    float learningRate();

    /**
     * Sets the learning rate of the following steps (a schedule's rate for the next epoch).
     *
     * @param learningRate positive
     */
    void setLearningRate(double learningRate);

    /**
     * Applies one update to every parameter that has a gradient; creates its state on the first step.
     *
     * @param model the model whose parameters are updated in place
     */
    void step(Model model);

    /**
     * Why a captured CUDA graph could not replay this optimizer's steps, or null when it can.
     *
     * @return the reason, or null
     */
    default String graphCaptureObstacle() {
        return null;
    }

    /**
     * The hyper-parameters as checkpoint metadata entries (besides {@code optimizer}, the name).
     *
     * @return key to value, e.g. {@code lr}, {@code momentum}, {@code weight_decay}
     */
    Map<String, String> metadata();

    /**
     * The state by {@code <buffer>.<parameter name>}, copied to the host (for checkpoints).
     *
     * @return copies on the Java heap; the buffers stay this optimizer's
     */
    Map<String, float[]> state();

    /**
     * Restores state saved by {@link #state()}, on the model's backend; frees the state it had.
     *
     * @param model the model the state belongs to (names and shapes)
     * @param state values by {@code <buffer>.<parameter name>}
     * @throws IllegalArgumentException when a name is not this optimizer's buffer of one of the model's parameters
     */
    void load(Model model, Map<String, float[]> state);

    /**
     * Moves the state to another backend (with {@link Model#to}), freeing the old buffers.
     *
     * @param target the backend that holds the new buffers
     */
    void moveTo(Backend target);

    /** Frees the state; the optimizer can be used again and starts afresh. */
    @Override
    void close();
}
