package dev.isthmus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.isthmus.backend.cpu.DnnlLibrary;
import dev.isthmus.backend.cuda.CudaEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code isthmus bench}: what it measures and reports, on the reference backend with tiny runs. */
class BenchCommandTest {

    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(new BenchCommand());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int code = commandLine.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void jsonReportsTheMeasuredStepsOnlyAndConsistentRates() throws Exception {
        Run run = run("--backend", "reference", "--model", "cnn", "--batch-size", "4", "--steps", "3", "--warmup", "2", "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode report = JsonMapper.builder().build().readTree(run.out());
        assertEquals("cnn", report.path("model").asText());
        assertEquals(4, report.path("batchSize").asInt());
        JsonNode result = report.path("results").get(0);
        assertEquals("reference", result.path("backend").asText());
        JsonNode stepMs = result.path("stepMs");
        assertEquals(3, stepMs.size(), "warm-up steps are not in the measured steps");
        double sum = 0;
        double max = 0;
        for (JsonNode ms : stepMs) {
            assertTrue(ms.asDouble() > 0, stepMs.toString());
            sum += ms.asDouble();
            max = Math.max(max, ms.asDouble());
        }
        double mean = sum / 3;
        assertEquals(mean, result.path("msPerStepMean").asDouble(), 1e-9);
        assertEquals(4 * 1000 / mean, result.path("imagesPerSecond").asDouble(), 1e-6);
        assertEquals(max, result.path("msPerStepP90").asDouble(), 1e-9, "p90 of three values is the largest");
        assertTrue(Float.isFinite((float) result.path("lastLoss").asDouble()), result.toString());
    }

    @Test
    void tablePrintsOneRowPerBackend() {
        Run run = run("--backend", "reference", "--model", "resnet", "--batch-size", "2", "--steps", "2", "--warmup", "0");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().startsWith("training throughput: model resnet, batch 2, 2 steps after 0 warm-up steps"), run.out());
        assertTrue(run.out().lines().anyMatch(line -> line.startsWith("reference ")), run.out());
    }

    @Test
    void allRunsEveryUsableBackendAndNamesTheOthers() throws Exception {
        Run run = run("--backend", "all", "--batch-size", "2", "--steps", "1", "--warmup", "0", "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode report = JsonMapper.builder().build().readTree(run.out());
        List<String> expected = new ArrayList<>(List.of("reference"));
        if (DnnlLibrary.load().usable()) expected.add("cpu");
        if (CudaEnvironment.probe().usable()) expected.add("cuda");
        List<String> measured = new ArrayList<>();
        report.path("results").forEach(result -> measured.add(result.path("backend").asText()));
        assertEquals(expected, measured, run.out());
        List<String> skipped = new ArrayList<>();
        report.path("skipped").forEach(skip -> {
            skipped.add(skip.path("backend").asText());
            assertTrue(skip.path("reason").asText().startsWith("not usable here: "), run.out());
            assertTrue(run.err().contains(skip.path("backend").asText() + " skipped: not usable here: "), run.err());
        });
        assertEquals(3, measured.size() + skipped.size(), "every backend is measured or named as skipped: " + run.out());
    }

    @Test
    void chartIsAPng(@TempDir Path folder) throws Exception {
        Path png = folder.resolve("charts/bench.png");
        Run run = run("--backend", "reference", "--batch-size", "2", "--steps", "2", "--warmup", "0", "--chart", png.toString());
        assertEquals(0, run.exitCode(), run.err());
        byte[] header = Arrays.copyOf(Files.readAllBytes(png), 8);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, header);
        assertTrue(run.out().contains("wrote " + png), run.out());
    }

    @Test
    void badNumbersAreIllegalArgumentsNamingTheOption() {
        assertEquals("--steps must be at least 1, got 0", badArguments("--steps", "0"));
        assertEquals("--batch-size must be at least 1, got -3", badArguments("--batch-size", "-3"));
        assertEquals("--warmup must be 0 or more, got -1", badArguments("--warmup", "-1"));
        assertTrue(badArguments("--model", "vgg").startsWith("unknown model 'vgg'"));
        assertTrue(badArguments("--cudnn-algo", "fastest").startsWith("--cudnn-algo must be heuristic or find"));
    }

    @Test
    void throughTheIsthmusCommandABadNumberIsExitCode2WithOneLine() {
        CliRunner result = CliRunner.run("bench", "--steps", "0");
        assertEquals(2, result.exitCode(), result.err());
        assertEquals("isthmus: --steps must be at least 1, got 0", result.err().strip());
    }

    private static String badArguments(String... args) {
        BenchCommand command = new BenchCommand();
        new CommandLine(command).parseArgs(args);
        return assertThrows(IllegalArgumentException.class, command::call).getMessage();
    }

    @Test
    void percentileIsNearestRank() {
        double[] values = {5, 1, 4, 2, 3, 10, 9, 8, 7, 6};
        assertEquals(5, BenchCommand.percentile(values, 50));
        assertEquals(9, BenchCommand.percentile(values, 90));
        assertEquals(10, BenchCommand.percentile(values, 100));
        assertEquals(1, BenchCommand.percentile(values, 0));
        assertEquals(7, BenchCommand.percentile(new double[] {7}, 90));
    }
}
