package dev.isthmus.cli;

import dev.isthmus.checkpoint.SafeTensors;
import dev.isthmus.checkpoint.SafeTensorsFile;
import dev.isthmus.checkpoint.TrainingCheckpoints;
import dev.isthmus.reliability.TinyMnist;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.isthmus.cli.BadInputTest.assertBadInput;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code train --optimizer adam|adamw}: PyTorch's defaults, the state in the checkpoint, a bit-exact resume, and one-line errors. */
class OptimizerCommandTest {
    @TempDir
    static Path shared;
    private static Path data;

    @TempDir
    Path temp;

    @BeforeAll
    static void writeData() {
        data = TinyMnist.write(shared.resolve("data"), 16, 8, 5);
    }

    private static CliRunner train(String... more) {
        List<String> arguments = new ArrayList<>(List.of("train", "--backend", "reference", "--no-progress", "--data", data.toString(),
                "--batch-size", "8", "--lr-schedule", "cosine"));
        arguments.addAll(List.of(more));
        return CliRunner.run(arguments.toArray(String[]::new));
    }

    private static CliRunner trainOk(String... more) {
        CliRunner result = train(more);
        assertEquals(0, result.exitCode(), result.err());
        return result;
    }

    @Test
    void adamWUsesPyTorchsDefaultsSavesItsStateAndResumesBitForBit() {
        Path whole = temp.resolve("whole");
        CliRunner result = trainOk("--optimizer", "adamw", "--epochs", "2", "--clip-grad-norm", "1", "--out", whole.toString());
        assertTrue(result.out().contains("adamw, lr 0.001, beta1 0.9, beta2 0.999, eps 1.0E-8, weight_decay 0.01"), result.out());
        SafeTensorsFile model = SafeTensors.read(whole.resolve("model.safetensors"));
        assertEquals("adamw", model.metadata().get("optimizer"));
        assertEquals("0.01", model.metadata().get("weight_decay"));
        var state = SafeTensors.read(TrainingCheckpoints.optimizerFile(whole.resolve("model.safetensors"))).tensors();
        assertTrue(state.keySet().containsAll(List.of("optimizer.exp_avg.fc.weight", "optimizer.exp_avg_sq.fc.weight", "optimizer.step.fc.weight")),
                state.keySet().toString());
        assertArrayEquals(new float[] {4}, state.get("optimizer.step.fc.weight").values(), "2 epochs of 2 batches");

        Path split = temp.resolve("split");
        trainOk("--optimizer", "adamw", "--epochs", "1", "--clip-grad-norm", "1", "--out", split.toString());
        trainOk("--optimizer", "adamw", "--epochs", "2", "--clip-grad-norm", "1", "--resume", split.resolve("model.safetensors").toString());
        var expected = SafeTensors.read(whole.resolve("model.safetensors")).tensors();
        var actual = SafeTensors.read(split.resolve("model.safetensors")).tensors();
        expected.forEach((name, tensor) -> assertArrayEquals(tensor.values(), actual.get(name).values(), name));

        assertBadInput(train("--optimizer", "sgd", "--epochs", "3", "--resume", split.resolve("model.safetensors").toString()), 2,
                "trained with --optimizer adamw", "resume with --optimizer adamw");
    }

    @Test
    void adamTakesBetasAndEpsAndTheLessonsDefaultsStay() {
        CliRunner adam = trainOk("--optimizer", "adam", "--epochs", "1", "--betas", "0.8,0.99", "--eps", "1e-6", "--weight-decay", "0.001",
                "--out", temp.resolve("adam").toString());
        assertTrue(adam.out().contains("adam, lr 0.001, beta1 0.8, beta2 0.99, eps 1.0E-6, weight_decay 0.001"), adam.out());
        CliRunner sgd = trainOk("--epochs", "1", "--out", temp.resolve("sgd").toString());
        assertTrue(sgd.out().contains("sgd, lr 0.01, momentum 0.5, weight_decay 0.0"), sgd.out());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "--optimizer rmsprop|--optimizer",
            "--optimizer adam --momentum 0.9|--momentum",
            "--optimizer adamw --nesterov|--nesterov",
            "--betas 0.9,0.999|--betas",
            "--eps 1e-8|--eps",
            "--optimizer adam --betas 1,0.999|--betas",
            "--optimizer adam --betas 0.9|--betas",
            "--optimizer adam --betas 0.9,x|--betas",
            "--optimizer adam --betas 0.9,0.99,0.9|--betas",
            "--optimizer adam --eps 0|--eps",
            "--optimizer adamw --weight-decay -0.01|--weight-decay",
            "--optimizer adam --lr 0|--lr",
    })
    void badOptimizerOptionsAreOneLineErrorsNamingTheOption(String options, String named) {
        assertBadInput(train(options.split(" ")), 2, named);
    }
}
