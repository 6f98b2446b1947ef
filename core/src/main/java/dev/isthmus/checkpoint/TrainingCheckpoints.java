package dev.isthmus.checkpoint;

import dev.isthmus.data.IoProblems;
import dev.isthmus.tensor.Shape;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Training checkpoints as two safetensors files:
 * <ul>
 *   <li>{@code NAME.safetensors}: the model weights only, under PyTorch state-dict names, so
 *       {@code model.load_state_dict(safetensors.torch.load_file(path), strict=True)} accepts it;
 *       its metadata holds model, epoch, step and the caller's extra keys;</li>
 *   <li>{@code NAME.optimizer.safetensors} (only when there is optimizer state): the optimizer's tensors as
 *       {@code optimizer.<buffer>.<parameter name>}, kept apart because strict loading would reject
 *       unknown keys. The buffers are PyTorch's optimizer-state names: {@code momentum} (SGD's
 *       {@code momentum_buffer}), {@code exp_avg} and {@code exp_avg_sq} (Adam/AdamW, the parameter's shape) and
 *       {@code step} (Adam/AdamW, a one-element float32 tensor as in PyTorch 1.13). The model file's
 *       {@code optimizer} metadata names the optimizer (absent in checkpoints from before Adam: SGD).</li>
 * </ul>
 * Each file is written atomically. Both carry the same random {@code checkpoint_id}; the optimizer
 * file is written first, so a crash between the two writes leaves ids that disagree, which loading
 * reports instead of silently pairing new weights with old momentum.
 */
public final class TrainingCheckpoints {
    /** Metadata key: the model's name ({@code cnn}, {@code inception}, ...). */
    public static final String MODEL = "model";
    /** Metadata key: epochs completed. */
    public static final String EPOCH = "epoch";
    /** Metadata key: optimizer steps taken. */
    public static final String STEP = "step";
    /** Metadata key: an id shared by the model file and its optimizer file. */
    public static final String CHECKPOINT_ID = "checkpoint_id";
    /** "pt": tells Hugging Face tooling the tensors form a PyTorch state dict. */
    public static final String FORMAT = "format";
    /** The metadata keys set by the checkpoint itself, not by callers. */
    public static final Set<String> RESERVED_KEYS = Set.of(MODEL, EPOCH, STEP, CHECKPOINT_ID, FORMAT);
    /** Prefix of the optimizer state's names in the optimizer file. */
    public static final String OPTIMIZER_PREFIX = "optimizer.";
    /** The optimizer buffers a checkpoint may hold, each one per parameter. */
    public static final Set<String> OPTIMIZER_BUFFERS = Set.of("momentum", "exp_avg", "exp_avg_sq", "step");
    /** The shape of a {@code step} buffer: one float, as PyTorch 1.13 keeps Adam's step. */
    public static final Shape STEP_SHAPE = Shape.of(1);
    private static final String SUFFIX = ".safetensors";

    private TrainingCheckpoints() {
    }

    /**
     * The optimizer file beside {@code modelFile}: {@code x.safetensors} → {@code x.optimizer.safetensors}.
     *
     * @param modelFile the model file
     * @return the optimizer file's path
     */
    public static Path optimizerFile(Path modelFile) {
        String name = modelFile.getFileName().toString();
        String stem = name.endsWith(SUFFIX) ? name.substring(0, name.length() - SUFFIX.length()) : name;
        return modelFile.resolveSibling(stem + ".optimizer" + SUFFIX);
    }

    /**
     * Writes the optimizer file (if there is optimizer state), then the model file; removes a stale optimizer file otherwise.
     *
     * @param modelFile the model file
     * @param state     what to write
     */
    public static void save(Path modelFile, TrainingState state) {
        for (String key : state.metadata().keySet()) {
            if (RESERVED_KEYS.contains(key)) {
                throw new IllegalArgumentException("checkpoint metadata key '" + key + "' is reserved; it is set from the training state");
            }
        }
        String id = UUID.randomUUID().toString();
        Map<String, String> pairing = new LinkedHashMap<>();
        pairing.put(MODEL, state.modelName());
        pairing.put(EPOCH, Integer.toString(state.epoch()));
        pairing.put(STEP, Long.toString(state.step()));
        pairing.put(CHECKPOINT_ID, id);
        Path optimizerFile = optimizerFile(modelFile);
        if (!state.optimizerState().isEmpty()) {
            Map<String, HostTensor> buffers = new LinkedHashMap<>();
            state.optimizerState().forEach((name, tensor) -> buffers.put(OPTIMIZER_PREFIX + name, tensor));
            SafeTensors.write(optimizerFile, buffers, pairing);
        }
        Map<String, String> metadata = new LinkedHashMap<>(state.metadata());
        metadata.putAll(pairing);
        metadata.put(FORMAT, "pt");
        SafeTensors.write(modelFile, state.weights(), metadata);
        if (state.optimizerState().isEmpty()) {
            try {
                Files.deleteIfExists(optimizerFile);
            } catch (IOException e) {
                throw new CheckpointException(optimizerFile + ": cannot remove the stale optimizer state (" + IoProblems.describe(e) + "); delete it by hand", e);
            }
        }
    }

    /**
     * Reads a checkpoint for model {@code modelName} whose parameters have {@code expectedShapes};
     * the optimizer file is read when present (the optimizer state is empty otherwise).
     *
     * @param modelFile      the model file
     * @param modelName      the model it must belong to
     * @param expectedShapes the parameters' shapes by name
     * @return weights, optimizer state, progress and metadata
     * @throws CheckpointException when the files are damaged, belong to another model, or do not pair up
     */
    public static TrainingState load(Path modelFile, String modelName, Map<String, Shape> expectedShapes) {
        SafeTensorsFile model = SafeTensors.read(modelFile);
        String savedModel = model.metadata().get(MODEL);
        if (savedModel != null && !savedModel.equals(modelName)) {
            throw new CheckpointException(modelFile + ": checkpoint is of model '" + savedModel + "' but model '" + modelName
                    + "' was requested; pass --model " + savedModel + " or a checkpoint of '" + modelName + "'");
        }
        model.requireTensors(expectedShapes, modelName);
        int epoch = parseInt(modelFile, model.metadata(), EPOCH);
        long step = parseLong(modelFile, model.metadata(), STEP);
        Map<String, String> extra = new LinkedHashMap<>(model.metadata());
        extra.keySet().removeAll(RESERVED_KEYS);

        Map<String, HostTensor> optimizerState = new LinkedHashMap<>();
        Path optimizerFile = optimizerFile(modelFile);
        if (Files.exists(optimizerFile)) {
            SafeTensorsFile optimizer = SafeTensors.read(optimizerFile);
            String id = model.metadata().get(CHECKPOINT_ID);
            String optimizerId = optimizer.metadata().get(CHECKPOINT_ID);
            if (id == null || !id.equals(optimizerId)) {
                throw new CheckpointException(optimizerFile + ": optimizer state belongs to another save (step "
                        + optimizer.metadata().getOrDefault(STEP, "?") + ") than " + modelFile.getFileName() + " (step " + step
                        + "), e.g. after an interrupted save; delete " + optimizerFile.getFileName() + " to resume with fresh momentum (fresh optimizer state)");
            }
            Map<String, HostTensor> present = optimizer.tensors();
            // State exists only for parameters that have been updated, so a subset is fine; other names are refused.
            Map<String, Shape> expectedBuffers = new LinkedHashMap<>();
            for (String name : present.keySet()) {
                Shape shape = expectedBufferShape(name, expectedShapes);
                if (shape != null) expectedBuffers.put(name, shape);
            }
            optimizer.requireTensors(expectedBuffers, modelName);
            present.forEach((name, tensor) -> optimizerState.put(name.substring(OPTIMIZER_PREFIX.length()), tensor));
        }
        return new TrainingState(modelName, epoch, step, model.tensors(), optimizerState, extra);
    }

    /** The shape {@code optimizer.<buffer>.<parameter>} must have, or null for a name that is no known buffer of a parameter. */
    private static Shape expectedBufferShape(String name, Map<String, Shape> parameterShapes) {
        if (!name.startsWith(OPTIMIZER_PREFIX)) return null;
        String rest = name.substring(OPTIMIZER_PREFIX.length());
        int dot = rest.indexOf('.');
        if (dot < 0 || !OPTIMIZER_BUFFERS.contains(rest.substring(0, dot))) return null;
        Shape parameter = parameterShapes.get(rest.substring(dot + 1));
        if (parameter == null) return null;
        return rest.startsWith("step.") ? STEP_SHAPE : parameter;
    }

    private static int parseInt(Path file, Map<String, String> metadata, String key) {
        long value = parseLong(file, metadata, key);
        if (value > Integer.MAX_VALUE) throw new CheckpointException(file + ": metadata '" + key + "' is " + value + "; expected an epoch count");
        return (int) value;
    }

    private static long parseLong(Path file, Map<String, String> metadata, String key) {
        String text = metadata.get(key);
        if (text == null) {
            throw new CheckpointException(file + ": metadata lacks '" + key + "'; expected a training checkpoint written by Isthmus"
                    + " (a plain state dict cannot be resumed; start a new run from its weights with --init)");
        }
        try {
            long value = Long.parseLong(text);
            if (value < 0) throw new NumberFormatException("negative");
            return value;
        } catch (NumberFormatException e) {
            throw new CheckpointException(file + ": metadata '" + key + "' is '" + text + "'; expected a non-negative integer", e);
        }
    }
}
