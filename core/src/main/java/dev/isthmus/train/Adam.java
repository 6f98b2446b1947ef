package dev.isthmus.train;

import dev.isthmus.backend.Backend;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Parameter;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code torch.optim.Adam} or {@code torch.optim.AdamW} ({@link AdamSettings#decoupledWeightDecay()}), updating a
 * model's parameters in place through {@link Backend#adamStep}. Its state per parameter is PyTorch's:
 * {@code exp_avg.<name>}, {@code exp_avg_sq.<name>} (zeros at first) and {@code step.<name>}, the number of
 * updates made, saved as a one-element float tensor as PyTorch 1.13 keeps it (exact up to 2^24 steps).
 */
public final class Adam implements Optimizer {
    private static final String EXP_AVG = "exp_avg";
    private static final String EXP_AVG_SQ = "exp_avg_sq";
    private static final String STEP = "step";

    private AdamSettings settings;
    private final OptimizerBuffers buffers;
    private final Map<String, Long> steps = new LinkedHashMap<>();
    private final double clipGradNorm;

    /**
     * An optimizer with no state yet; its buffers live in the backend's memory and belong to it.
     *
     * @param settings     the hyper-parameters
     * @param clipGradNorm the largest global gradient norm, or 0 for no clipping ({@link GradientClipping})
     */
    public Adam(AdamSettings settings, double clipGradNorm) {
        this.clipGradNorm = GradientClipping.checkLimit(clipGradNorm);
        this.settings = settings;
        this.buffers = new OptimizerBuffers(name(), Set.of(EXP_AVG, EXP_AVG_SQ, STEP));
    }

    @Override
    public String name() {
        return settings.decoupledWeightDecay() ? "adamw" : "adam";
    }

    @Override
    public AdamSettings settings() {
        return settings;
    }

    @Override
    public float learningRate() {
        return (float) settings.learningRate();
    }

    @Override
    public void setLearningRate(double learningRate) {
        settings = settings.withLearningRate(learningRate);
    }

    @Override
    public void step(Model model) {
        Backend backend = model.backend();
        if (clipGradNorm > 0) GradientClipping.clip(model, clipGradNorm);
        for (Map.Entry<String, Parameter> entry : model.stateDict().entrySet()) {
            Parameter parameter = entry.getValue();
            if (parameter.grad() == null) continue;
            String name = entry.getKey();
            long step = steps.getOrDefault(name, 0L) + 1;
            backend.adamStep(parameter.value(), parameter.grad(), buffers.zerosIfAbsent(EXP_AVG, name, parameter, backend),
                    buffers.zerosIfAbsent(EXP_AVG_SQ, name, parameter, backend), settings.at(step));
            steps.put(name, step);
        }
    }

    /** The bias corrections 1 − β^t are host scalars of every call and change with t. */
    @Override
    public String graphCaptureObstacle() {
        return "Adam's bias corrections change every step and a CUDA graph would replay its first step's; steps run queued, uncaptured";
    }

    @Override
    public Map<String, String> metadata() {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("lr", Double.toString(settings.learningRate()));
        metadata.put("beta1", Double.toString(settings.beta1()));
        metadata.put("beta2", Double.toString(settings.beta2()));
        metadata.put("eps", Double.toString(settings.eps()));
        metadata.put("weight_decay", Double.toString(settings.weightDecay()));
        return metadata;
    }

    @Override
    public Map<String, float[]> state() {
        Map<String, float[]> state = buffers.state();
        steps.forEach((name, step) -> state.put(STEP + "." + name, new float[] {step}));
        return state;
    }

    @Override
    public void load(Model model, Map<String, float[]> state) {
        Map<String, float[]> moments = new LinkedHashMap<>();
        Map<String, Long> loadedSteps = new LinkedHashMap<>();
        state.forEach((key, values) -> {
            if (!key.startsWith(STEP + ".")) {
                moments.put(key, values);
                return;
            }
            buffers.parameterOf(model, key);
            float step = values.length == 1 ? values[0] : Float.NaN;
            if (!(step >= 1) || step != Math.rint(step)) {
                throw new IllegalArgumentException("optimizer state '" + key + "' holds " + java.util.Arrays.toString(values)
                        + "; expected one whole step count of at least 1");
            }
            loadedSteps.put(key.substring(STEP.length() + 1), (long) step);
        });
        buffers.load(model, moments);
        steps.clear();
        steps.putAll(loadedSteps);
    }

    @Override
    public void moveTo(Backend target) {
        buffers.moveTo(target);
    }

    @Override
    public void close() {
        buffers.close();
        steps.clear();
    }
}
