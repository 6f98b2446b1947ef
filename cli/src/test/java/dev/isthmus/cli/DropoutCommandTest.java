package dev.isthmus.cli;

import dev.isthmus.checkpoint.HostTensor;
import dev.isthmus.checkpoint.SafeTensors;
import dev.isthmus.reliability.TinyMnist;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** {@code train --dropout}: masks from the seed and the step, so a resumed run matches an uninterrupted one bit for bit. */
class DropoutCommandTest {
    @TempDir
    Path temp;

    private CliRunner train(Path data, Path out, String... more) {
        List<String> arguments = new ArrayList<>(List.of("train", "--backend", "reference", "--no-progress", "--data", data.toString(),
                "--model", "resnet-bn", "--batch-size", "8", "--momentum", "0.9"));
        arguments.addAll(List.of(more));
        if (!arguments.contains("--resume")) arguments.addAll(List.of("--out", out.toString()));
        CliRunner result = CliRunner.run(arguments.toArray(String[]::new));
        assertEquals(0, result.exitCode(), result.err());
        return result;
    }

    private static Map<String, HostTensor> weights(Path run) {
        return SafeTensors.read(run.resolve("model.safetensors")).tensors();
    }

    @Test
    void resumedRunWithDropoutMatchesTheUninterruptedOne() {
        Path data = TinyMnist.write(temp.resolve("data"), 24, 8, 5);
        Path whole = temp.resolve("whole");
        train(data, whole, "--epochs", "2", "--dropout", "0.5");
        Path split = temp.resolve("split");
        train(data, split, "--epochs", "1", "--dropout", "0.5");
        train(data, split, "--epochs", "2", "--dropout", "0.5", "--resume", split.resolve("model.safetensors").toString());

        Map<String, HostTensor> expected = weights(whole);
        Map<String, HostTensor> actual = weights(split);
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((name, tensor) -> assertArrayEquals(tensor.values(), actual.get(name).values(), name));

        // The comparison means something only if dropout changed the training.
        Path without = temp.resolve("without");
        train(data, without, "--epochs", "2");
        assertFalse(Arrays.equals(expected.get("fc.weight").values(), weights(without).get("fc.weight").values()),
                "--dropout 0.5 trains differently from no dropout");
    }

    @Test
    void resumingWithAnotherDropoutIsOneLineNamingTheCheckpointsValue() {
        Path data = TinyMnist.write(temp.resolve("data"), 16, 8, 5);
        Path run = temp.resolve("run");
        train(data, run, "--epochs", "1", "--dropout", "0.25");
        assertEquals("0.25", SafeTensors.read(run.resolve("model.safetensors")).metadata().get(DropoutOption.METADATA_KEY));
        BadInputTest.assertBadInput(CliRunner.run("train", "--backend", "reference", "--no-progress", "--data", data.toString(),
                "--model", "resnet-bn", "--batch-size", "8", "--epochs", "2", "--resume", run.resolve("model.safetensors").toString()), 2,
                "was trained with --dropout 0.25, not 0.0", "pass --dropout 0.25");
    }

    /** Out-of-range values are among BadInputTest's cases; this one needs the model named. */
    @Test
    void dropoutOnAModelWithoutItIsOneLineNamingTheModelsWithIt() {
        BadInputTest.assertBadInput(CliRunner.run("train", "--model", "cnn", "--dropout", "0.2"), 2,
                "model 'cnn' has no dropout layer", "--dropout applies to resnet-bn", "--model resnet-bn");
    }
}
