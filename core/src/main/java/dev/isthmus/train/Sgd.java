package dev.isthmus.train;

import dev.isthmus.backend.Backend;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Parameter;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code torch.optim.SGD} with momentum, updating a model's parameters in place on their backend.
 * One momentum buffer per parameter ({@code momentum.<name>} in its state), created as zeros on the first
 * step (equal to PyTorch's first-step {@code buf = grad}).
 */
public final class Sgd implements Optimizer {
    private SgdSettings settings;
    private final OptimizerBuffers buffers = new OptimizerBuffers("sgd", Set.of("momentum"));
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
        this.clipGradNorm = GradientClipping.checkLimit(clipGradNorm);
        this.settings = settings;
    }

    @Override
    public String name() {
        return "sgd";
    }

    @Override
    public SgdSettings settings() {
        return settings;
    }

    @Override
    public float learningRate() {
        return settings.learningRate();
    }

    @Override
    public void setLearningRate(double learningRate) {
        settings = new SgdSettings((float) learningRate, settings.momentum(), settings.weightDecay(), settings.nesterov());
    }

    @Override
    public void step(Model model) {
        Backend backend = model.backend();
        if (clipGradNorm > 0) GradientClipping.clip(model, clipGradNorm);
        for (Map.Entry<String, Parameter> entry : model.stateDict().entrySet()) {
            Parameter parameter = entry.getValue();
            if (parameter.grad() == null) continue;
            backend.sgdMomentumStep(parameter.value(), parameter.grad(), buffers.zerosIfAbsent("momentum", entry.getKey(), parameter, backend),
                    settings.learningRate(), settings.momentum(), settings.weightDecay(), settings.nesterov());
        }
    }

    @Override
    public Map<String, String> metadata() {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("lr", Float.toString(settings.learningRate()));
        metadata.put("momentum", Float.toString(settings.momentum()));
        metadata.put("weight_decay", Float.toString(settings.weightDecay()));
        return metadata;
    }

    @Override
    public Map<String, float[]> state() {
        return buffers.state();
    }

    @Override
    public void load(Model model, Map<String, float[]> state) {
        buffers.load(model, state);
    }

    @Override
    public void moveTo(Backend target) {
        buffers.moveTo(target);
    }

    @Override
    public void close() {
        buffers.close();
    }
}
