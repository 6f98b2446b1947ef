package dev.isthmus.reliability;

import dev.isthmus.checkpoint.CheckpointException;
import dev.isthmus.checkpoint.HostTensor;
import dev.isthmus.checkpoint.SafeTensors;
import dev.isthmus.checkpoint.TrainingCheckpoints;
import dev.isthmus.checkpoint.TrainingState;
import dev.isthmus.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code kill -9} (SIGKILL: no handler, no finally block runs) in the middle of writing a checkpoint never
 * leaves a torn file: the target holds the complete old content or the complete new one. At worst a
 * hidden temporary file {@code .NAME.*.tmp} stays behind, which nothing reads. A kill between the two files
 * of a training checkpoint is detected when loading (ids that disagree), never silently mixed.
 * In-process injected write failures are covered by SafeTensorsTest#failedWriteLeavesThePreviousCheckpointIntact
 * and #writerExceptionsAlsoLeaveNoTrace.
 */
class CrashDuringCheckpointTest {

    @TempDir
    Path temp;

    @Test
    void sigkillHalfwayThroughAWriteLeavesThePreviousFileIntact() throws Exception {
        Path target = temp.resolve("model.safetensors");
        SafeTensors.write(target, Map.of("w", HostTensor.of(Shape.of(3), 1, 2, 3)), Map.of("save", "previous"));
        byte[] before = Files.readAllBytes(target);
        Path marker = temp.resolve("halfway");

        JavaProcess child = JavaProcess.start(temp.resolve("logs"), CheckpointWriterChild.class.getName(),
                List.of("half", target.toString(), marker.toString()), Map.of(), Map.of());
        waitFor(child, marker);
        child.process().destroyForcibly(); // SIGKILL
        child.waitFor(60);

        assertArrayEquals(before, Files.readAllBytes(target), "the target is byte for byte the previous checkpoint");
        assertEquals("previous", SafeTensors.read(target).metadata().get("save"));
        List<Path> leftovers = siblings(target).stream().filter(file -> !file.equals(target) && !file.equals(marker)).toList();
        assertEquals(1, leftovers.size(), "only the half-written temporary file: " + leftovers);
        assertTrue(leftovers.getFirst().getFileName().toString().matches("\\.model\\.safetensors\\..*\\.tmp"), leftovers.toString());
        SafeTensors.write(target, Map.of("w", HostTensor.of(Shape.of(1), 4)), Map.of()); // and the next save still works
    }

    /** Killed at random moments while saving training checkpoints in a loop: each file is always whole, the pair always checked. */
    @Test
    void sigkillAtRandomMomentsNeverTearsATrainingCheckpoint() throws Exception {
        SplittableRandom random = new SplittableRandom(2024);
        for (int attempt = 0; attempt < 4; attempt++) {
            Path folder = Files.createDirectories(temp.resolve("run" + attempt));
            Path model = folder.resolve("model.safetensors");
            Path marker = folder.resolve("first-save-done");
            JavaProcess child = JavaProcess.start(folder.resolve("logs"), CheckpointWriterChild.class.getName(),
                    List.of("loop", model.toString(), marker.toString()), Map.of(), Map.of());
            waitFor(child, marker);
            Thread.sleep(random.nextInt(400));
            child.process().destroyForcibly();
            child.waitFor(60);

            SafeTensors.read(model); // whole and well-formed, whenever the kill came
            SafeTensors.read(TrainingCheckpoints.optimizerFile(model));
            try {
                TrainingState state = TrainingCheckpoints.load(model, "inception", SafeTensors.read(model).shapes());
                assertTrue(state.epoch() >= 1 && !state.optimizerState().isEmpty());
            } catch (CheckpointException killedBetweenTheTwoFiles) {
                assertTrue(killedBetweenTheTwoFiles.getMessage().contains("belongs to another save"), killedBetweenTheTwoFiles.getMessage());
            }
        }
    }

    private static void waitFor(JavaProcess child, Path marker) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!Files.exists(marker)) {
            if (!child.process().isAlive()) throw new AssertionError("the child ended early; stderr:\n" + child.stderr());
            if (System.nanoTime() > deadline) {
                child.process().destroyForcibly();
                throw new AssertionError("the child never got there; stderr:\n" + child.stderr());
            }
            Thread.sleep(10);
        }
    }

    private static List<Path> siblings(Path file) throws IOException {
        try (Stream<Path> files = Files.list(file.getParent())) {
            return files.filter(Files::isRegularFile).toList();
        }
    }
}
