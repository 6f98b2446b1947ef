package dev.isthmus.cli;

import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.checkpoint.SafeTensors;
import dev.isthmus.checkpoint.SafeTensorsFile;
import dev.isthmus.checkpoint.TrainingCheckpoints;
import dev.isthmus.checkpoint.TrainingState;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Models;
import dev.isthmus.reliability.JavaProcess;
import dev.isthmus.reliability.TinyMnist;
import dev.isthmus.tensor.Shape;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM (what {@code kill} and {@link Process#destroy()} send) stops a real {@code isthmus train} process
 * between steps with exit code 143 (128 + 15, the same code the JVM gives when the signal comes before the
 * handler is installed), leaving the last checkpoint complete, paired with its optimizer state and loadable;
 * {@code --resume} then continues to the requested epoch count. The child runs the reference backend on a tiny
 * generated data set, so the whole test takes seconds.
 */
class InterruptTest {
    private static final int SIGTERM_EXIT = 143;

    @TempDir
    static Path shared;
    private static Path data;

    @TempDir
    Path temp;

    @BeforeAll
    static void writeData() {
        data = TinyMnist.write(shared.resolve("data"), 64, 16, 7);
    }

    @Test
    void sigtermAfterACheckpointKeepsItIntactAndResumeContinues() throws IOException, InterruptedException {
        Path out = temp.resolve("run");
        Path model = out.resolve("model.safetensors");
        JavaProcess child = JavaProcess.start(temp.resolve("logs"), IsthmusCommand.class.getName(),
                trainArguments(out, "1000"), Map.of(), Map.of());

        waitUntil(child, () -> Files.exists(model), 240);
        child.process().destroy(); // SIGTERM, at whatever point of the next epoch the child has reached
        int exitCode = child.waitFor(120);

        assertEquals(SIGTERM_EXIT, exitCode, "stderr:\n" + child.stderr());
        List<String> errors = child.stderr().lines().filter(line -> line.startsWith("isthmus:")).toList();
        assertTrue(errors.getLast().contains("interrupted") && errors.getLast().contains("--resume " + model), child.stderr());
        assertFalse(child.stderr().contains("Exception"), child.stderr());

        SafeTensorsFile weights = SafeTensors.read(model); // complete and well-formed
        TrainingState state = TrainingCheckpoints.load(model, "cnn", shapesOf(Models.CNN)); // ids of both files pair up
        assertEquals(weights.tensors(), state.weights());
        assertFalse(state.optimizerState().isEmpty(), "momentum was saved with the weights");
        assertTrue(state.epoch() >= 1, "at least the first epoch was saved");
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(List.of(), files.filter(file -> file.getFileName().toString().endsWith(".tmp")).toList(),
                    "no half-written temporary file is left behind");
        }

        int target = state.epoch() + 2;
        CliRunner resumed = CliRunner.run("train", "--backend", "reference", "--no-progress", "--data", data.toString(),
                "--resume", model.toString(), "--epochs", Integer.toString(target), "--batch-size", "16");

        assertEquals(0, resumed.exitCode(), resumed.err());
        assertTrue(resumed.out().contains("after epoch " + state.epoch()), resumed.out());
        assertTrue(resumed.out().contains("epoch " + target + " "), resumed.out());
        TrainingState after = TrainingCheckpoints.load(model, "cnn", shapesOf(Models.CNN));
        assertEquals(target, after.epoch());
        assertEquals(state.step() + 2 * (64 / 16), after.step(), "two more epochs of four steps each");
    }

    /** Before the handler is installed the JVM's default handling ends the process: the same 143, and nothing half-written. */
    @Test
    void sigtermDuringStartupEndsWithTheSameCodeAndWritesNothing() throws IOException {
        Path out = temp.resolve("early");
        JavaProcess child = JavaProcess.start(temp.resolve("logs"), IsthmusCommand.class.getName(),
                trainArguments(out, "3"), Map.of(), Map.of());
        child.process().destroy();
        assertEquals(SIGTERM_EXIT, child.waitFor(120), "stderr:\n" + child.stderr());
        if (Files.isDirectory(out)) {
            try (Stream<Path> files = Files.list(out)) {
                assertEquals(List.of(), files.filter(file -> file.getFileName().toString().contains("safetensors")).toList());
            }
        }
    }

    private static List<String> trainArguments(Path out, String epochs) {
        return List.of("train", "--backend", "reference", "--no-progress", "--data", data.toString(), "--out", out.toString(),
                "--epochs", epochs, "--batch-size", "16");
    }

    private static Map<String, Shape> shapesOf(Models architecture) {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        try (ReferenceBackend backend = new ReferenceBackend(); Model model = architecture.create(backend)) {
            model.stateDict().forEach((name, parameter) -> shapes.put(name, parameter.shape()));
        }
        return shapes;
    }

    private static void waitUntil(JavaProcess child, java.util.function.BooleanSupplier condition, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (!child.process().isAlive()) {
                throw new AssertionError("the child ended (exit " + child.process().exitValue() + ") before the condition held; stderr:\n" + child.stderr());
            }
            if (System.nanoTime() > deadline) {
                child.process().destroyForcibly();
                throw new AssertionError("condition not met within " + seconds + " s; stderr:\n" + child.stderr());
            }
            Thread.sleep(20);
        }
    }
}
