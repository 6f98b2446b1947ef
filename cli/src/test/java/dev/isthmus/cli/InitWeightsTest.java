package dev.isthmus.cli;

import static dev.isthmus.cli.BadInputTest.assertBadInput;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.checkpoint.HostTensor;
import dev.isthmus.checkpoint.SafeTensors;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Models;
import dev.isthmus.reliability.TinyMnist;
import dev.isthmus.train.ModelCheckpoint;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --init FILE}: a new run from given weights, e.g. a state dict PyTorch saved with
 * {@code safetensors.torch.save_file(model.state_dict(), FILE)} (no Isthmus metadata).
 */
class InitWeightsTest {
    private static final long SEED = 7;

    @TempDir
    static Path shared;
    private static Path data;

    @TempDir
    Path temp;

    @BeforeAll
    static void writeData() {
        data = TinyMnist.write(shared.resolve("data"), 32, 8, 3);
    }

    private CliRunner train(Path out, String... extra) {
        String[] base = {"train", "--backend", "reference", "--data", data.toString(), "--out", out.toString(),
                "--epochs", "2", "--batch-size", "8", "--seed", Long.toString(SEED), "--no-progress"};
        String[] arguments = Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, arguments, base.length, extra.length);
        return CliRunner.run(arguments);
    }

    /** The weights {@code isthmus train --seed N} starts from, as a plain state dict without metadata. */
    private Path initialWeights(long seed) {
        Path file = temp.resolve("initial-" + seed + ".safetensors");
        try (ReferenceBackend backend = new ReferenceBackend(); Model model = Models.CNN.create(backend, seed)) {
            SafeTensors.write(file, ModelCheckpoint.parameters(model), Map.of());
        }
        return file;
    }

    /**
     * Starting from exactly the weights the seed would give must reproduce the seeded run bit for bit:
     * proves that every tensor is loaded where it belongs, momentum starts from zero and training starts
     * at epoch 1 with the seed's batch order.
     */
    @Test
    void initFromTheSeededWeightsReproducesTheSeededRunExactly() {
        CliRunner seeded = train(temp.resolve("seeded"));
        assertEquals(0, seeded.exitCode(), seeded.err());
        Path initial = initialWeights(SEED);
        CliRunner fromFile = train(temp.resolve("from-file"), "--init", initial.toString());
        assertEquals(0, fromFile.exitCode(), fromFile.err());
        assertTrue(fromFile.out().contains("starting cnn from the weights in " + initial), fromFile.out());
        assertTrue(fromFile.out().contains("epoch 1 ") && fromFile.out().contains("epoch 2 "), fromFile.out());

        Map<String, HostTensor> expected = SafeTensors.read(temp.resolve("seeded/model.safetensors")).tensors();
        Map<String, HostTensor> actual = SafeTensors.read(temp.resolve("from-file/model.safetensors")).tensors();
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((name, tensor) -> assertArrayEquals(tensor.values(), actual.get(name).values(), name));
        Map<String, HostTensor> start = SafeTensors.read(initial).tensors();
        assertFalse(Arrays.equals(start.get("fc.weight").values(), actual.get("fc.weight").values()), "the weights were trained");

        // Other weights, same seed (same batch order): the file, not the seed, decides where training starts.
        CliRunner otherStart = train(temp.resolve("other-start"), "--init", initialWeights(SEED + 1).toString());
        assertEquals(0, otherStart.exitCode(), otherStart.err());
        Map<String, HostTensor> other = SafeTensors.read(temp.resolve("other-start/model.safetensors")).tensors();
        assertFalse(Arrays.equals(expected.get("conv1.weight").values(), other.get("conv1.weight").values()),
                "--init replaced the seeded initialisation");
    }

    @Test
    void initAndResumeTogetherAreRefused() {
        Path initial = initialWeights(SEED);
        assertBadInput(train(temp.resolve("both"), "--init", initial.toString(), "--resume", initial.toString()), 2,
                "--init and --resume exclude each other");
    }

    @Test
    void weightsOfAnotherNetworkAreNamedAndRefused() {
        Path initial = initialWeights(SEED);
        Map<String, HostTensor> withoutFc = new LinkedHashMap<>(SafeTensors.read(initial).tensors());
        withoutFc.remove("fc.bias");
        Path partial = temp.resolve("partial.safetensors");
        SafeTensors.write(partial, withoutFc, Map.of());
        assertBadInput(train(temp.resolve("partial"), "--init", partial.toString()), 2, partial.toString(), "fc.bias");
        assertBadInput(train(temp.resolve("inception"), "--init", initial.toString(), "--model", "inception"), 2, initial.toString());
    }

    @Test
    void aMissingFileIsOneLine() {
        Path missing = temp.resolve("no-such.safetensors");
        assertBadInput(train(temp.resolve("missing"), "--init", missing.toString()), 2, missing.toString());
    }

    @Test
    void aPlainStateDictCannotBeResumedAndTheMessageNamesInit() {
        Path initial = initialWeights(SEED);
        assertBadInput(train(temp.resolve("resume"), "--resume", initial.toString()), 2, "metadata lacks 'epoch'", "--init");
    }
}
