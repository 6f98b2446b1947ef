package dev.isthmus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.isthmus.checkpoint.SafeTensors;
import dev.isthmus.reliability.TinyMnist;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code train --lr-schedule}: each epoch's rate in metrics.json, and a resumed run matching an uninterrupted one bit for bit. */
class LearningRateScheduleCommandTest {
    @TempDir
    Path temp;

    private CliRunner train(Path data, Path out, String... more) {
        List<String> arguments = new ArrayList<>(List.of("train", "--backend", "reference", "--no-progress", "--data", data.toString(),
                "--batch-size", "8", "--lr-schedule", "step", "--lr-step-epochs", "1", "--lr", "0.05"));
        arguments.addAll(List.of(more));
        if (!arguments.contains("--resume")) arguments.addAll(List.of("--out", out.toString()));
        CliRunner result = CliRunner.run(arguments.toArray(String[]::new));
        assertEquals(0, result.exitCode(), result.err());
        return result;
    }

    @Test
    void ratesAreRecordedPerEpochAndResumeContinuesTheSchedule() throws IOException {
        Path data = TinyMnist.write(temp.resolve("data"), 16, 8, 3);
        Path whole = temp.resolve("whole");
        train(data, whole, "--epochs", "3");
        JsonNode metrics = new ObjectMapper().readTree(whole.resolve(MetricsFiles.JSON).toFile());
        double[] rates = new double[metrics.size()];
        for (int i = 0; i < rates.length; i++) rates[i] = metrics.get(i).get("learningRate").asDouble();
        assertArrayEquals(new double[] {0.05f, 0.005f, 0.0005f}, rates, 1e-9);

        Path split = temp.resolve("split");
        train(data, split, "--epochs", "1");
        train(data, split, "--epochs", "3", "--resume", split.resolve("model.safetensors").toString());
        var expected = SafeTensors.read(whole.resolve("model.safetensors")).tensors();
        var actual = SafeTensors.read(split.resolve("model.safetensors")).tensors();
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((name, tensor) -> assertArrayEquals(tensor.values(), actual.get(name).values(), name));
    }
}
