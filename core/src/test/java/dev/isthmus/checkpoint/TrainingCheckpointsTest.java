package dev.isthmus.checkpoint;

import dev.isthmus.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingCheckpointsTest {
    @TempDir
    Path dir;

    private static final Map<String, Shape> SHAPES = shapes();

    private static Map<String, Shape> shapes() {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        shapes.put("conv1.weight", Shape.of(2, 1, 3, 3));
        shapes.put("conv1.bias", Shape.of(2));
        return shapes;
    }

    private static Map<String, HostTensor> filled(float base) {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        SHAPES.forEach((name, shape) -> {
            float[] values = new float[(int) shape.numel()];
            for (int i = 0; i < values.length; i++) values[i] = base + i;
            tensors.put(name, new HostTensor(shape, values));
        });
        return tensors;
    }

    /** Optimizer state under {@code <buffer>.<parameter>} names, as optimizers hand it over. */
    private static Map<String, HostTensor> buffers(String buffer, Map<String, HostTensor> byParameter) {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        byParameter.forEach((name, tensor) -> tensors.put(buffer + "." + name, tensor));
        return tensors;
    }

    private static TrainingState state(int epoch, boolean withMomentum) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("lr", "0.01");
        metadata.put("momentum", "0.5");
        return new TrainingState("cnn", epoch, epoch * 938L, filled(epoch), withMomentum ? buffers("momentum", filled(100 + epoch)) : Map.of(), metadata);
    }

    @Test
    void savesWeightsAndMomentumInSeparateFilesAndLoadsThemBack() {
        Path model = dir.resolve("cnn.safetensors");
        TrainingCheckpoints.save(model, state(3, true));
        Path optimizer = dir.resolve("cnn.optimizer.safetensors");
        assertEquals(optimizer, TrainingCheckpoints.optimizerFile(model));
        // The model file holds exactly the state dict, as load_state_dict(strict=True) requires.
        SafeTensorsFile weights = SafeTensors.read(model);
        assertEquals(SHAPES.keySet(), weights.tensors().keySet());
        assertEquals("cnn", weights.metadata().get("model"));
        assertEquals("pt", weights.metadata().get("format"));
        assertTrue(SafeTensors.read(optimizer).tensors().containsKey("optimizer.momentum.conv1.bias"));

        TrainingState loaded = TrainingCheckpoints.load(model, "cnn", SHAPES);
        assertEquals(3, loaded.epoch());
        assertEquals(3 * 938L, loaded.step());
        assertEquals(filled(3), loaded.weights());
        assertEquals(buffers("momentum", filled(103)), loaded.optimizerState());
        assertEquals(Map.of("lr", "0.01", "momentum", "0.5"), loaded.metadata());
    }

    @Test
    void adamStateKeepsPyTorchsBufferNamesAndAOneElementStep() {
        Path model = dir.resolve("cnn.safetensors");
        Map<String, HostTensor> adam = new LinkedHashMap<>(buffers("exp_avg", filled(10)));
        adam.putAll(buffers("exp_avg_sq", filled(20)));
        adam.put("step.conv1.bias", new HostTensor(Shape.of(1), new float[] {7}));
        TrainingCheckpoints.save(model, new TrainingState("cnn", 1, 7, filled(1), adam, Map.of()));
        assertTrue(SafeTensors.read(TrainingCheckpoints.optimizerFile(model)).tensors().keySet()
                .containsAll(java.util.List.of("optimizer.exp_avg.conv1.bias", "optimizer.exp_avg_sq.conv1.bias", "optimizer.step.conv1.bias")));
        assertEquals(adam, TrainingCheckpoints.load(model, "cnn", SHAPES).optimizerState());

        // A step of the parameter's shape, or a buffer no optimizer keeps, is refused with the name.
        Map<String, HostTensor> wrongStep = new LinkedHashMap<>(adam);
        wrongStep.put("step.conv1.bias", adam.get("exp_avg.conv1.bias"));
        TrainingCheckpoints.save(model, new TrainingState("cnn", 1, 7, filled(1), wrongStep, Map.of()));
        CheckpointException e = assertThrows(CheckpointException.class, () -> TrainingCheckpoints.load(model, "cnn", SHAPES));
        assertTrue(e.getMessage().contains("optimizer.step.conv1.bias has shape"), e.getMessage());
        Map<String, HostTensor> unknown = buffers("velocity", filled(1));
        TrainingCheckpoints.save(model, new TrainingState("cnn", 1, 7, filled(1), unknown, Map.of()));
        e = assertThrows(CheckpointException.class, () -> TrainingCheckpoints.load(model, "cnn", SHAPES));
        assertTrue(e.getMessage().contains("optimizer.velocity.conv1.bias"), e.getMessage());
    }

    @Test
    void savingWithoutMomentumRemovesAStaleOptimizerFile() {
        Path model = dir.resolve("cnn.safetensors");
        TrainingCheckpoints.save(model, state(1, true));
        TrainingCheckpoints.save(model, state(2, false));
        assertFalse(Files.exists(TrainingCheckpoints.optimizerFile(model)));
        TrainingState loaded = TrainingCheckpoints.load(model, "cnn", SHAPES);
        assertEquals(2, loaded.epoch());
        assertTrue(loaded.optimizerState().isEmpty());
    }

    @Test
    void optimizerStateFromAnotherSaveIsRefused() {
        Path model = dir.resolve("cnn.safetensors");
        TrainingCheckpoints.save(model, state(1, true));
        // As if a crash hit between the two writes of the next save: new optimizer file, old model file.
        Path other = dir.resolve("other.safetensors");
        TrainingCheckpoints.save(other, state(2, true));
        try {
            Files.move(TrainingCheckpoints.optimizerFile(other), TrainingCheckpoints.optimizerFile(model), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        CheckpointException e = assertThrows(CheckpointException.class, () -> TrainingCheckpoints.load(model, "cnn", SHAPES));
        assertTrue(e.getMessage().contains("optimizer state belongs to another save (step 1876) than cnn.safetensors (step 938)"), e.getMessage());
        assertTrue(e.getMessage().contains("delete cnn.optimizer.safetensors to resume with fresh momentum"), e.getMessage());
    }

    @Test
    void checkpointOfAnotherModelIsNamed() {
        Path model = dir.resolve("cnn.safetensors");
        TrainingCheckpoints.save(model, state(1, false));
        CheckpointException e = assertThrows(CheckpointException.class, () -> TrainingCheckpoints.load(model, "mlp", SHAPES));
        assertTrue(e.getMessage().contains("checkpoint is of model 'cnn' but model 'mlp' was requested; pass --model cnn"), e.getMessage());
        Map<String, Shape> bigger = new LinkedHashMap<>(SHAPES);
        bigger.put("conv1.weight", Shape.of(2, 1, 5, 5));
        CheckpointException shape = assertThrows(CheckpointException.class, () -> TrainingCheckpoints.load(model, "cnn", bigger));
        assertTrue(shape.getMessage().contains("conv1.weight has shape [2, 1, 3, 3] but model 'cnn' expects [2, 1, 5, 5]"), shape.getMessage());
    }

    @Test
    void plainStateDictCannotBeResumed() {
        Path plain = dir.resolve("from-pytorch.safetensors");
        SafeTensors.write(plain, filled(0), Map.of());
        CheckpointException e = assertThrows(CheckpointException.class, () -> TrainingCheckpoints.load(plain, "cnn", SHAPES));
        assertTrue(e.getMessage().contains("metadata lacks 'epoch'"), e.getMessage());
        // ...but its weights load with the plain reader and the shape check.
        assertEquals(filled(0), SafeTensors.read(plain, SHAPES, "cnn").tensors());
    }

    @Test
    void reservedMetadataKeysAreRefused() {
        TrainingState bad = new TrainingState("cnn", 1, 1, filled(0), Map.of(), Map.of("epoch", "7"));
        assertThrows(IllegalArgumentException.class, () -> TrainingCheckpoints.save(dir.resolve("x.safetensors"), bad));
    }
}
