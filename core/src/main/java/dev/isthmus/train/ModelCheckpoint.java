package dev.isthmus.train;

import dev.isthmus.checkpoint.HostTensor;
import dev.isthmus.checkpoint.SafeTensors;
import dev.isthmus.checkpoint.TrainingCheckpoints;
import dev.isthmus.checkpoint.TrainingState;
import dev.isthmus.nn.Model;
import dev.isthmus.tensor.Shape;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Connects a live {@link Model} and {@link Sgd} to checkpoint files ({@link TrainingCheckpoints}):
 * {@code model.safetensors} holds only PyTorch state-dict tensors (parameters and buffers), the optimizer's momentum lives in
 * {@code model.optimizer.safetensors} beside it; both are written atomically.
 */
public final class ModelCheckpoint {
    public static final String MODEL_FILE = "model.safetensors";

    /** How far training got, stored in the checkpoint's metadata. */
    public record Progress(int epochsDone, long step, long seed, int batchSize) {
    }

    /** What {@link #resume} restored. */
    public record Restored(int epochsDone, long step, boolean momentumRestored) {
    }

    private ModelCheckpoint() {
    }

    public static void save(Path modelFile, Model model, Sgd optimizer, Progress progress) {
        save(modelFile, model, optimizer, progress, Map.of());
    }

    /**
     * Like {@link #save(Path, Model, Sgd, Progress)}, with {@code extra} metadata entries (what the model was
     * trained on: class names, normalisation) that predict reads back.
     *
     * @param modelFile where the weights go ({@code model.safetensors}); the optimizer file goes beside it
     * @param model     the trained network
     * @param optimizer whose momentum is saved
     * @param progress  epochs and steps done
     * @param extra     further metadata entries; none may use a reserved key
     */
    public static void save(Path modelFile, Model model, Sgd optimizer, Progress progress, Map<String, String> extra) {
        Map<String, HostTensor> momentum = new LinkedHashMap<>();
        optimizer.state().forEach((name, values) -> momentum.put(name, new HostTensor(model.stateDict().get(name).shape(), values)));
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("seed", Long.toString(progress.seed()));
        metadata.put("batch_size", Integer.toString(progress.batchSize()));
        metadata.put("lr", Float.toString(optimizer.settings().learningRate()));
        metadata.put("momentum", Float.toString(optimizer.settings().momentum()));
        metadata.put("weight_decay", Float.toString(optimizer.settings().weightDecay()));
        metadata.putAll(extra);
        TrainingCheckpoints.save(modelFile, new TrainingState(model.name(), progress.epochsDone(), progress.step(),
                parameters(model), momentum, metadata));
    }

    /** The model's state dict (parameters and buffers) as host tensors, under PyTorch's names. */
    public static Map<String, HostTensor> parameters(Model model) {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        model.state().forEach((name, entry) -> tensors.put(name, new HostTensor(entry.shape(), entry.value().toArray())));
        return tensors;
    }

    /** Restores weights, momentum and progress of a checkpoint written by {@link #save}, to continue training. */
    public static Restored resume(Path modelFile, Model model, Sgd optimizer) {
        TrainingState state = TrainingCheckpoints.load(modelFile, model.name(), expectedShapes(model));
        state.weights().forEach((name, tensor) -> model.state().get(name).load(tensor.values()));
        Map<String, float[]> momentum = new LinkedHashMap<>();
        state.momentum().forEach((name, tensor) -> momentum.put(name, tensor.values()));
        optimizer.load(model, momentum);
        return new Restored(state.epoch(), state.step(), !momentum.isEmpty());
    }

    /** Loads weights only; also accepts a plain PyTorch state dict saved with safetensors. */
    public static void loadWeights(Path file, Model model) {
        SafeTensors.read(file, expectedShapes(model), model.name()).tensors()
                .forEach((name, tensor) -> model.state().get(name).load(tensor.values()));
    }

    private static Map<String, Shape> expectedShapes(Model model) {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        model.state().forEach((name, entry) -> shapes.put(name, entry.shape()));
        return shapes;
    }
}
