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
 * Connects a live {@link Model} and {@link Optimizer} to checkpoint files ({@link TrainingCheckpoints}):
 * {@code model.safetensors} holds only PyTorch state-dict tensors (parameters and buffers), the optimizer's state (momentum,
 * or Adam's moments and steps) lives in {@code model.optimizer.safetensors} beside it; both are written atomically.
 */
public final class ModelCheckpoint {
    /** Metadata key: the optimizer that wrote the state ({@link Optimizer#name()}); absent (SGD) in older checkpoints. */
    public static final String OPTIMIZER = "optimizer";

    /** The checkpoint's file name in a run folder. */
    public static final String MODEL_FILE = "model.safetensors";

    /**
     * How far training got, stored in the checkpoint's metadata.
     *
     * @param epochsDone epochs completed
     * @param step       steps done over the run
     * @param seed       the run's seed
     * @param batchSize  its batch size
     */
    public record Progress(int epochsDone, long step, long seed, int batchSize) {
    }

    /**
     * What {@link #resume} restored.
     *
     * @param epochsDone       epochs the checkpoint had completed
     * @param step             steps it had done
     * @param optimizerStateRestored whether it held optimizer state (momentum, Adam's moments)
     */
    public record Restored(int epochsDone, long step, boolean optimizerStateRestored) {
    }

    private ModelCheckpoint() {
    }

    /**
     * Writes weights, optimizer state and progress to a safetensors file, atomically (a crash leaves the
     * previous file intact). Copies to the host; the model and optimizer stay the caller's.
     *
     * @param modelFile the file to write
     * @param model     the model
     * @param optimizer its optimizer (its state)
     * @param progress  how far training got
     */
    public static void save(Path modelFile, Model model, Optimizer optimizer, Progress progress) {
        save(modelFile, model, optimizer, progress, Map.of());
    }

    /**
     * Like {@link #save(Path, Model, Optimizer, Progress)}, with {@code extra} metadata entries (what the model was
     * trained on: class names, normalisation) that predict reads back.
     *
     * @param modelFile where the weights go ({@code model.safetensors}); the optimizer file goes beside it
     * @param model     the trained network
     * @param optimizer whose state is saved
     * @param progress  epochs and steps done
     * @param extra     further metadata entries; none may use a reserved key
     */
    public static void save(Path modelFile, Model model, Optimizer optimizer, Progress progress, Map<String, String> extra) {
        Map<String, HostTensor> optimizerState = new LinkedHashMap<>();
        optimizer.state().forEach((key, values) -> {
            String parameter = key.substring(key.indexOf('.') + 1);
            optimizerState.put(key, new HostTensor(key.startsWith("step.") ? TrainingCheckpoints.STEP_SHAPE
                    : model.stateDict().get(parameter).shape(), values));
        });
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("seed", Long.toString(progress.seed()));
        metadata.put("batch_size", Integer.toString(progress.batchSize()));
        metadata.put(OPTIMIZER, optimizer.name());
        metadata.putAll(optimizer.metadata());
        metadata.putAll(extra);
        TrainingCheckpoints.save(modelFile, new TrainingState(model.name(), progress.epochsDone(), progress.step(),
                parameters(model), optimizerState, metadata));
    }

    /**
     * The model's state dict (parameters and buffers) as host tensors, under PyTorch's names.
     *
     * @param model the model
     * @return copies on the Java heap, in state-dict order
     */
    public static Map<String, HostTensor> parameters(Model model) {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        model.state().forEach((name, entry) -> tensors.put(name, new HostTensor(entry.shape(), entry.value().toArray())));
        return tensors;
    }

    /**
     * Restores weights, optimizer state and progress of a checkpoint written by {@link #save}, to continue training.
     *
     * @param modelFile the checkpoint
     * @param model     the model of the same kind, loaded in place
     * @param optimizer its optimizer, the kind the checkpoint was trained with; its old state is freed and new state, its own, created
     * @return what was restored
     * @throws IllegalArgumentException when the checkpoint was trained with another optimizer
     */
    public static Restored resume(Path modelFile, Model model, Optimizer optimizer) {
        TrainingState state = TrainingCheckpoints.load(modelFile, model.name(), expectedShapes(model));
        String trainedWith = state.metadata().getOrDefault(OPTIMIZER, "sgd");
        if (!trainedWith.equals(optimizer.name())) {
            throw new IllegalArgumentException(modelFile + " was trained with --optimizer " + trainedWith + ", not " + optimizer.name()
                    + "; resume with --optimizer " + trainedWith + " (or start a new run from its weights with --init)");
        }
        state.weights().forEach((name, tensor) -> model.state().get(name).load(tensor.values()));
        Map<String, float[]> optimizerState = new LinkedHashMap<>();
        state.optimizerState().forEach((name, tensor) -> optimizerState.put(name, tensor.values()));
        optimizer.load(model, optimizerState);
        return new Restored(state.epoch(), state.step(), !optimizerState.isEmpty());
    }

    /**
     * Loads weights only; also accepts a plain PyTorch state dict saved with safetensors.
     *
     * @param file  the safetensors file
     * @param model the model whose parameters are overwritten in place
     */
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
