package dev.isthmus.train;

import dev.isthmus.backend.Backend;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Parameter;
import dev.isthmus.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code torch.optim.SGD} with momentum, updating a model's parameters in place on their backend.
 * One momentum buffer per parameter, created as zeros on the first step (equal to PyTorch's
 * first-step {@code buf = grad}).
 */
public final class Sgd implements AutoCloseable {
    private SgdSettings settings;
    private final Map<String, Tensor> momentumBuffers = new LinkedHashMap<>();
    private final double clipGradNorm;

    /**
     * An optimizer without momentum buffers yet. The buffers it creates live in the backend's memory
     * and belong to it: close the optimizer (try-with-resources) when training ends.
     *
     * @param settings learning rate, momentum and weight decay
     */
    public Sgd(SgdSettings settings) {
        this(settings, 0);
    }

    /**
     * An optimiser that first clips the gradients' global norm to {@code clipGradNorm} ({@link GradientClipping}).
     *
     * @param settings     the SGD hyper-parameters
     * @param clipGradNorm the largest global gradient norm, or 0 for no clipping
     */
    public Sgd(SgdSettings settings, double clipGradNorm) {
        if (!(clipGradNorm >= 0) || Double.isInfinite(clipGradNorm)) {
            throw new IllegalArgumentException("the gradient-norm limit must be zero (off) or positive, got " + clipGradNorm);
        }
        this.settings = settings;
        this.clipGradNorm = clipGradNorm;
    }

    /**
     * The hyper-parameters.
     *
     * @return the current settings (the constructor's, with the learning rate a schedule last set)
     */
    public SgdSettings settings() {
        return settings;
    }

    /**
     * Sets the learning rate of the following steps (a schedule's rate for the next epoch).
     *
     * @param learningRate positive
     */
    public void setLearningRate(float learningRate) {
        settings = new SgdSettings(learningRate, settings.momentum(), settings.weightDecay(), settings.nesterov());
    }

    /**
     * Applies one update to every parameter that has a gradient; creates momentum buffers, owned by
     * this optimizer, on the first step.
     *
     * @param model the model whose parameters are updated in place
     */
    public void step(Model model) {
        Backend backend = model.backend();
        if (clipGradNorm > 0) GradientClipping.clip(model, clipGradNorm);
        for (Map.Entry<String, Parameter> entry : model.stateDict().entrySet()) {
            Parameter parameter = entry.getValue();
            if (parameter.grad() == null) continue;
            Tensor buffer = momentumBuffers.computeIfAbsent(entry.getKey(), name -> backend.zeros(parameter.shape()));
            backend.sgdMomentumStep(parameter.value(), parameter.grad(), buffer,
                    settings.learningRate(), settings.momentum(), settings.weightDecay(), settings.nesterov());
        }
    }

    /**
     * Momentum buffers by parameter name, copied to the host (for checkpoints).
     *
     * @return copies on the Java heap; the buffers stay this optimizer's
     */
    public Map<String, float[]> state() {
        Map<String, float[]> state = new LinkedHashMap<>();
        momentumBuffers.forEach((name, buffer) -> state.put(name, buffer.toArray()));
        return state;
    }

    /**
     * Restores momentum buffers saved by {@link #state()}, on the model's backend; frees the buffers it had.
     *
     * @param model the model the buffers belong to (names and shapes)
     * @param state buffers by parameter name, as {@link #state()} returns them
     */
    public void load(Model model, Map<String, float[]> state) {
        close();
        state.forEach((name, values) -> {
            Parameter parameter = model.stateDict().get(name);
            if (parameter == null) {
                throw new IllegalArgumentException("optimizer state names '" + name + "', which model '" + model.name() + "' does not have");
            }
            momentumBuffers.put(name, model.backend().fromArray(parameter.shape(), values));
        });
    }

    /**
     * Moves the momentum buffers to another backend (with {@link Model#to}), freeing the old ones.
     *
     * @param target the backend that holds the new buffers, owned by this optimizer
     */
    public void moveTo(Backend target) {
        momentumBuffers.replaceAll((name, buffer) -> {
            if (buffer.backend() == target) return buffer;
            Tensor moved = target.fromArray(buffer.shape(), buffer.toArray());
            buffer.close();
            return moved;
        });
    }

    /** Frees the momentum buffers; the optimizer can be used again and starts from zero momentum. */
    @Override
    public void close() {
        momentumBuffers.values().forEach(Tensor::close);
        momentumBuffers.clear();
    }
}
