package dev.isthmus.train;

import dev.isthmus.backend.Backend;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Parameter;
import dev.isthmus.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** An optimizer's per-parameter tensors by {@code <buffer>.<parameter name>}, on the model's backend, owned here. */
final class OptimizerBuffers implements AutoCloseable {
    private final String optimizer;
    private final Set<String> kinds;
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();

    /**
     * @param optimizer the optimizer's name, for messages
     * @param kinds     the state names it keeps ({@code momentum}; {@code exp_avg}, {@code exp_avg_sq}, {@code step})
     */
    OptimizerBuffers(String optimizer, Set<String> kinds) {
        this.optimizer = optimizer;
        this.kinds = kinds;
    }

    /** The buffer {@code kind} of {@code parameter}, created as zeros on first use. */
    Tensor zerosIfAbsent(String kind, String name, Parameter parameter, Backend backend) {
        return tensors.computeIfAbsent(kind + "." + name, key -> backend.zeros(parameter.shape()));
    }

    Map<String, float[]> state() {
        Map<String, float[]> state = new LinkedHashMap<>();
        tensors.forEach((name, buffer) -> state.put(name, buffer.toArray()));
        return state;
    }

    /** Frees what it holds, then creates the buffers of {@code state} on the model's backend. */
    void load(Model model, Map<String, float[]> state) {
        close();
        state.forEach((key, values) -> tensors.put(key, model.backend().fromArray(parameterOf(model, key).shape(), values)));
    }

    /** The parameter a {@code <buffer>.<parameter name>} key belongs to; refuses other optimizers' buffers. */
    Parameter parameterOf(Model model, String key) {
        int dot = key.indexOf('.');
        String kind = dot < 0 ? key : key.substring(0, dot);
        if (!kinds.contains(kind)) {
            throw new IllegalArgumentException("optimizer state '" + key + "' is not " + optimizer + "'s (it keeps " + String.join(", ", kinds)
                    + "); resume with the optimizer the checkpoint was trained with");
        }
        Parameter parameter = model.stateDict().get(key.substring(dot + 1));
        if (parameter == null) {
            throw new IllegalArgumentException("optimizer state names '" + key + "', whose parameter model '" + model.name() + "' does not have");
        }
        return parameter;
    }

    void moveTo(Backend target) {
        tensors.replaceAll((name, buffer) -> {
            if (buffer.backend() == target) return buffer;
            Tensor moved = target.fromArray(buffer.shape(), buffer.toArray());
            buffer.close();
            return moved;
        });
    }

    @Override
    public void close() {
        tensors.values().forEach(Tensor::close);
        tensors.clear();
    }
}
