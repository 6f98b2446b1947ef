package dev.isthmus.cli;

import dev.isthmus.reliability.TinyMnist;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A resnet-bn checkpoint, buffers included, loads in PyTorch with {@code load_state_dict(strict=True)}
 * (peer/pytorch/load_checkpoint.py) and classifies the test images as {@code isthmus eval} does. Needs
 * Debian's PyTorch ({@code /usr/bin/python3} with torch, apt-get install python3-torch); skipped, saying so, without it.
 */
class PyTorchLoadsCheckpointTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Pattern ISTHMUS_CORRECT = Pattern.compile("\\((\\d+) correct\\)");
    private static final Pattern TORCH_CORRECT = Pattern.compile("test accuracy [0-9.]+% \\((\\d+) of (\\d+)\\)");

    @TempDir
    Path temp;

    @Test
    void resnetBnCheckpointScoresTheSameInPyTorch() throws Exception {
        String missing = torchMissing();
        if (missing != null) System.out.println("PyTorchLoadsCheckpointTest skipped: " + missing);
        assumeTrue(missing == null, missing);

        Path data = TinyMnist.write(temp.resolve("data"), 64, 200, 9);
        Path run = temp.resolve("run");
        CliRunner train = CliRunner.run("train", "--backend", "reference", "--no-progress", "--data", data.toString(), "--out", run.toString(),
                "--model", "resnet-bn", "--epochs", "1", "--batch-size", "16", "--momentum", "0.9", "--dropout", "0.3");
        assertEquals(0, train.exitCode(), train.err());
        Path checkpoint = run.resolve("model.safetensors");
        CliRunner eval = CliRunner.run("eval", "--backend", "reference", "--checkpoint", checkpoint.toString(), "--data", data.toString());
        assertEquals(0, eval.exitCode(), eval.err());

        Path script = Path.of("").toAbsolutePath().getParent().resolve("peer/pytorch/load_checkpoint.py");
        Process torch = new ProcessBuilder(PYTHON.toString(), script.toString(), checkpoint.toString(), data.toString(), "--model", "resnet-bn")
                .directory(script.getParent().toFile()).redirectErrorStream(true).start();
        String torchOut = new String(torch.getInputStream().readAllBytes());
        assertTrue(torch.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, torch.exitValue(), torchOut);
        assertTrue(torchOut.contains("load_state_dict(strict=True) accepted 38 tensors"), torchOut);

        Matcher torchCorrect = TORCH_CORRECT.matcher(torchOut);
        Matcher isthmusCorrect = ISTHMUS_CORRECT.matcher(eval.out());
        assertTrue(torchCorrect.find(), torchOut);
        assertTrue(isthmusCorrect.find(), eval.out());
        assertEquals("200", torchCorrect.group(2));
        assertEquals(isthmusCorrect.group(1), torchCorrect.group(1), "correct test images, Isthmus then PyTorch");
        assertEquals(matrix(eval.out()), matrix(torchOut), "the same confusion matrix");
    }

    /** The confusion matrix's rows, numbers only (eval may add class names after them). */
    private static List<String> matrix(String output) {
        List<String> lines = output.lines().toList();
        int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("confusion matrix")).findFirst().orElseThrow());
        return lines.subList(header + 2, header + 12).stream()
                .map(line -> String.join(" ", Pattern.compile("\\s+").splitAsStream(line.strip()).limit(11).toList())).toList();
    }

    /** Why PyTorch cannot be run here, or null when it can. */
    private static String torchMissing() throws IOException, InterruptedException {
        if (!Files.isExecutable(PYTHON)) return PYTHON + " is missing (apt-get install python3-torch)";
        Process check = new ProcessBuilder(PYTHON.toString(), "-c", "import torch").redirectErrorStream(true).start();
        check.getInputStream().readAllBytes();
        if (!check.waitFor(60, TimeUnit.SECONDS) || check.exitValue() != 0) return PYTHON + " cannot import torch (apt-get install python3-torch)";
        return null;
    }
}
