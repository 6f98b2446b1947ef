package dev.isthmus.checkpoint;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a training checkpoint holds at an epoch boundary.
 *
 * @param modelName the model's name ("mlp", "cnn", ...), checked when loading
 * @param epoch     epochs completed
 * @param step      optimizer steps taken so far
 * @param weights   the model's parameters by PyTorch state-dict name
 * @param optimizerState the optimizer's state by {@code <buffer>.<parameter name>} ({@code momentum.fc1.weight},
 *                  {@code exp_avg.fc1.weight}, ...; see {@link TrainingCheckpoints}); empty when there is none
 * @param metadata  further string metadata (optimizer hyper-parameters, seed, dataset, ...); the keys
 *                  in {@link TrainingCheckpoints#RESERVED_KEYS} are set by the checkpoint itself
 */
public record TrainingState(String modelName, int epoch, long step, Map<String, HostTensor> weights,
                            Map<String, HostTensor> optimizerState, Map<String, String> metadata) {
    /** Keeps unmodifiable copies of the maps. */
    public TrainingState {
        weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
        optimizerState = Collections.unmodifiableMap(new LinkedHashMap<>(optimizerState));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }
}
