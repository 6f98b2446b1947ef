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
    private final SgdSettings settings;
    private final Map<String, Tensor> momentumBuffers = new LinkedHashMap<>();

    /**
     * An optimizer without momentum buffers yet. The buffers it creates live in the backend's memory
     * and belong to it: close the optimizer (try-with-resources) when training ends.
     *
     * @param settings learning rate, momentum and weight decay
     */
    public Sgd(SgdSettings settings) {
        this.settings = settings;
    }

    public SgdSettings settings() {
        return settings;
    }

    /** Applies one update to every parameter that has a gradient. */
    public void step(Model model) {
        Backend backend = model.backend();
        for (Map.Entry<String, Parameter> entry : model.stateDict().entrySet()) {
            Parameter parameter = entry.getValue();
            if (parameter.grad() == null) continue;
            Tensor buffer = momentumBuffers.computeIfAbsent(entry.getKey(), name -> backend.zeros(parameter.shape()));
            backend.sgdMomentumStep(parameter.value(), parameter.grad(), buffer,
                    settings.learningRate(), settings.momentum(), settings.weightDecay());
        }
    }

    /** Momentum buffers by parameter name, copied to the host (for checkpoints). */
    public Map<String, float[]> state() {
        Map<String, float[]> state = new LinkedHashMap<>();
        momentumBuffers.forEach((name, buffer) -> state.put(name, buffer.toArray()));
        return state;
    }

    /** Restores momentum buffers saved by {@link #state()}, on the model's backend; frees the buffers it had. */
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

    /** Moves the momentum buffers to another backend (with {@link Model#to}), freeing the old ones. */
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
