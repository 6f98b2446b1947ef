package dev.isthmus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.isthmus.IsthmusException;
import dev.isthmus.backend.Backend;
import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.backend.cpu.DnnlLibrary;
import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;
import dev.isthmus.testing.ForwardingBackend;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompareCommandTest {

    /** Backend B negates the weight gradient of the CNN's conv2 ([20, 10, 5, 5]) in its second step. */
    private static final Function<String, Backend> BROKEN_B = name -> name.equals("cuda")
            ? new FlippedWeightGradient(new ReferenceBackend(), Shape.of(20, 10, 5, 5), 2).backend() : new ReferenceBackend();

    /** Both sides honest reference backends, whatever --a and --b say. */
    private static final Function<String, Backend> HONEST = name -> new ReferenceBackend();

    private static final String[] SMALL_RUN = {"--model", "cnn", "--steps", "3", "--batch-size", "4", "--synthetic", "--seed", "5"};

    @Test
    void referenceAgainstReferenceAgreesExactlyAndSaysSo() {
        CliRunner result = compare(null, concat(SMALL_RUN, "--a", "reference", "--b", "reference"));

        assertEquals(0, result.exitCode(), result.err());
        assertTrue(result.out().contains("a = reference, b = reference; 3 steps of batch 4 on synthetic data"), result.out());
        assertTrue(result.out().contains("tolerance: exact"), result.out());
        assertTrue(result.out().contains("result: OK: reference and reference agree exactly at every one of 3 steps"), result.out());
        List<String> summary = summaryRows(result.out());
        // outputs, loss + logits grad, input grads (all but conv1's: its input is the data), grads + params
        assertEquals(8 + 2 + 7 + 2 * 6, summary.size(), String.join("\n", summary));
        for (String row : summary) {
            String[] cells = row.trim().split("\\s+");
            assertEquals("0", cells[2], row); // max abs
            assertEquals("OK", cells[cells.length - 1], row);
        }
    }

    /** The cpu (oneDNN) backend checked by the oracle on every lesson network, within compare's default tolerances. */
    @ParameterizedTest
    @ValueSource(strings = {"cnn", "resnet", "inception"})
    void theCpuBackendAgreesWithTheReference(String model) {
        Assumptions.assumeTrue(DnnlLibrary.load().usable(), () -> DnnlLibrary.load().unusableReason().orElse(""));
        CliRunner result = compare(null, "--model", model, "--steps", "3", "--batch-size", "8", "--synthetic", "--seed", "5", "--a", "reference", "--b", "cpu");

        assertEquals(0, result.exitCode(), result.out() + result.err());
        assertTrue(result.out().contains("result: OK"), result.out());
    }

    @Test
    void aBrokenBackendFailsWithExitCode4NamingTheFirstStepTensorAndIndex() {
        CliRunner result = compare(BROKEN_B, SMALL_RUN);

        assertEquals(IsthmusException.EXIT_MISMATCH, result.exitCode(), result.err());
        assertTrue(result.err().startsWith("isthmus: backends disagree at step 2: conv2.weight (param-grad) at ["), result.err());
        assertTrue(result.err().contains("> tolerance"), result.err());
        List<String> rows = stepRows(result.out());
        assertTrue(rows.get(0).endsWith("OK"), rows.get(0));
        assertTrue(rows.get(1).contains("FAIL conv2.weight (param-grad)"), rows.get(1));
        assertTrue(result.out().contains("result: FAIL at step 2, conv2.weight (param-grad)"), result.out());
        assertFalse(result.err().contains("at dev.isthmus"), "no stack trace: " + result.err());
    }

    @Test
    void failFastStopsAtTheFirstBadStep() {
        CliRunner result = compare(BROKEN_B, concat(SMALL_RUN, "--fail-fast"));
        assertEquals(IsthmusException.EXIT_MISMATCH, result.exitCode());
        assertEquals(2, stepRows(result.out()).size());
    }

    @Test
    void jsonParsesAndStatesTheSameFactsAsTheTable() throws Exception {
        CliRunner table = compare(BROKEN_B, SMALL_RUN);
        CliRunner json = compare(BROKEN_B, concat(SMALL_RUN, "--json"));

        assertEquals(IsthmusException.EXIT_MISMATCH, json.exitCode());
        assertEquals(table.err(), json.err());
        JsonNode root = new ObjectMapper().readTree(json.out());
        assertFalse(root.get("passed").asBoolean());
        assertEquals("cnn", root.at("/setup/model").asText());
        assertEquals(4, root.at("/setup/batchSize").asInt());
        assertEquals(2, root.at("/firstMismatch/step").asInt());
        assertEquals("conv2.weight", root.at("/firstMismatch/tensor").asText());
        assertTrue(table.err().contains(root.at("/firstMismatch/message").asText()), json.out());

        List<String> rows = stepRows(table.out());
        assertEquals(rows.size(), root.get("steps").size());
        for (int i = 0; i < rows.size(); i++) {
            String[] cells = rows.get(i).trim().split("\\s+");
            JsonNode step = root.get("steps").get(i);
            assertEquals(Integer.parseInt(cells[0]), step.get("step").asInt());
            assertEquals(Float.parseFloat(cells[1]), step.get("lossA").floatValue(), 1e-8);
            assertEquals(Float.parseFloat(cells[2]), step.get("lossB").floatValue(), 1e-8);
            String worstInJson = step.get("worstTensor").isNull() ? "(all equal)"
                    : step.get("worstTensor").asText() + " (" + step.get("worstKind").asText() + ")";
            assertEquals(cells[3] + " " + cells[4], worstInJson);
            assertEquals(rows.get(i).contains(" OK"), step.get("passed").asBoolean());
            JsonNode worst = worstTensor(step);
            assertEquals(Double.parseDouble(cells[5]), worst.get("maxAbs").asDouble(), Math.abs(worst.get("maxAbs").asDouble()) * 0.01);
            if (step.get("worstTensor").isNull()) assertEquals(0, worst.get("maxAbs").asDouble(), "all equal");
        }
        List<String> summary = summaryRows(table.out());
        assertEquals(summary.size(), root.get("layers").size());
        for (int i = 0; i < summary.size(); i++) {
            String[] cells = summary.get(i).trim().split("\\s+");
            JsonNode layer = root.get("layers").get(i);
            assertEquals(cells[0], layer.get("tensor").asText());
            assertEquals(cells[1], layer.get("kind").asText());
            assertEquals(cells[6].equals("OK"), layer.get("passed").asBoolean());
        }
    }

    @Test
    void looserTolerancesFromTheCommandLineApply() {
        // Two steps: the flipped gradient of step 2 and the update it gives pass; later steps would inherit the change.
        CliRunner result = compare(BROKEN_B, "--model", "cnn", "--steps", "2", "--batch-size", "4", "--synthetic", "--seed", "5", "--tolerance", "param-grad=1:10", "--atol-param", "1", "--rtol-param", "10");
        assertEquals(0, result.exitCode(), result.out() + result.err());
        assertTrue(result.out().contains("param-grad 1.00e+00:1.00e+01"), result.out());
    }

    @Test
    void exactOnDifferentBackendsReportsTheFirstDifference() {
        CliRunner result = compare(BROKEN_B, concat(SMALL_RUN, "--exact"));
        assertEquals(IsthmusException.EXIT_MISMATCH, result.exitCode());
        assertTrue(result.err().contains("step 2: conv2.weight (param-grad)"), result.err());
    }

    @Test
    void theChartIsAPng(@TempDir Path folder) throws Exception {
        Path exactChart = folder.resolve("exact.png");
        Path brokenChart = folder.resolve("charts/broken.png");
        assertEquals(0, compare(HONEST, concat(SMALL_RUN, "--chart", exactChart.toString())).exitCode());
        CliRunner broken = compare(BROKEN_B, concat(SMALL_RUN, "--chart", brokenChart.toString()));
        assertEquals(IsthmusException.EXIT_MISMATCH, broken.exitCode());
        assertTrue(broken.out().contains("wrote " + brokenChart), broken.out());
        for (Path png : List.of(exactChart, brokenChart)) {
            byte[] header = Arrays.copyOf(Files.readAllBytes(png), 8);
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}, header, png.toString());
        }
        try (var files = Files.list(brokenChart.getParent())) {
            assertEquals(List.of(brokenChart), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void singleOpModeComparesForwardAndEveryBackwardOutput() {
        CliRunner result = compare(HONEST, "--op", "conv2d", "--shape", "2,3,9,9", "--kernel", "4,3,3,3", "--stride", "2",
                "--padding", "1", "--dilation", "2");
        assertEquals(0, result.exitCode(), result.err());
        for (String output : List.of("output", "grad_input", "grad_weight", "grad_bias")) {
            assertTrue(result.out().lines().anyMatch(line -> line.startsWith(output + " ") && line.endsWith("OK")), result.out());
        }
        assertTrue(result.out().contains("input [2, 3, 9, 9], weight [4, 3, 3, 3], stride 2, padding 1, dilation 2"), result.out());

        CliRunner broken = compare(name -> name.equals("cuda") ? new FlippedWeightGradient(new ReferenceBackend(), Shape.of(4, 3, 3, 3), 1).backend()
                : new ReferenceBackend(), "--op", "conv2d", "--shape", "2,3,9,9", "--kernel", "4,3,3,3");
        assertEquals(IsthmusException.EXIT_MISMATCH, broken.exitCode());
        assertTrue(broken.err().startsWith("isthmus: backends disagree at step 1: grad_weight (param-grad) at ["), broken.err());
    }

    @Test
    void everyOpRunsFromTheCommandLine() {
        List<String[]> ops = List.of(
                new String[] {"--op", "maxpool2d", "--shape", "2,3,8,8", "--kernel", "2"},
                new String[] {"--op", "avgpool2d", "--shape", "2,3,7,7", "--kernel", "3", "--stride", "1", "--padding", "1"},
                new String[] {"--op", "relu", "--shape", "2,3,4,4"},
                new String[] {"--op", "linear", "--shape", "4,2,3,3", "--features", "5"},
                new String[] {"--op", "cross-entropy", "--shape", "8,10"},
                new String[] {"--op", "adam", "--shape", "10,7"});
        for (String[] op : ops) {
            CliRunner result = compare(HONEST, op);
            assertEquals(0, result.exitCode(), String.join(" ", op) + ": " + result.err());
            assertTrue(result.out().contains("result: OK"), result.out());
        }
    }

    @Test
    void usageMistakesExitWith2AndOneLine() {
        assertUsageError(compare(HONEST, "--op", "conv2d"), "--op conv2d needs --shape");
        assertUsageError(compare(HONEST, "--op", "conv2d", "--shape", "1,3,8,8"), "--op conv2d needs --kernel K,C,R,S");
        assertUsageError(compare(HONEST, "--op", "conv2d", "--shape", "1,3,8,8", "--kernel", "4,2,3,3"), "input has 3 channels");
        assertUsageError(compare(HONEST, "--op", "softmax", "--shape", "1,3"), "unknown --op 'softmax'");
        assertUsageError(compare(HONEST, "--op", "relu", "--model", "cnn", "--shape", "1,3"), "give only one of them");
        assertUsageError(compare(HONEST, "--a", "gpu"), "--a must be reference, cpu or cuda, got 'gpu'");
        assertUsageError(compare(HONEST, "--shape", "1,2"), "add --op");
        assertUsageError(compare(HONEST, concat(SMALL_RUN, "--exact", "--rtol-loss", "1")), "--exact demands bit-identical");
        assertUsageError(compare(HONEST, concat(SMALL_RUN, "--tolerance", "params=1:1")), "unknown tensor kind 'params'");
        assertUsageError(compare(HONEST, "--op", "relu", "--shape", "1,x"), "--shape must be comma-separated whole numbers");
    }

    @Test
    void cudaWithoutAGpuExitsWith3AndTheDiagnosis() {
        CliRunner result = compare(null, "--a", "reference", "--b", "cuda", "--op", "relu", "--shape", "2,2");
        if (result.exitCode() == 0) return; // a machine with a usable GPU: nothing to diagnose
        assertEquals(IsthmusException.EXIT_CUDA_UNAVAILABLE, result.exitCode(), result.out() + result.err());
        assertTrue(result.err().startsWith("isthmus: CUDA backend not usable: "), result.err());
        assertEquals(1, result.err().lines().count(), result.err());
    }

    // ---------------------------------------------------------------- helpers

    /** Runs {@code compare} the way {@link IsthmusCommand#execute} runs a subcommand, with backends from {@code backends}. */
    private static CliRunner compare(Function<String, Backend> backends, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(backends == null ? new CompareCommand() : new CompareCommand(backends));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setExecutionExceptionHandler((exception, commandLine, parseResult) ->
                IsthmusCommand.reportFailure(exception, commandLine.getErr(), false));
        int code = cli.execute(args);
        return new CliRunner(code, out.toString(), err.toString());
    }

    private static void assertUsageError(CliRunner result, String expected) {
        assertEquals(IsthmusException.EXIT_BAD_INPUT, result.exitCode(), result.out() + result.err());
        assertTrue(result.err().contains(expected), result.err());
        assertFalse(result.err().contains("at dev.isthmus"), "no stack trace: " + result.err());
    }

    /** The per-step rows of the table: lines starting with a step number. */
    private static List<String> stepRows(String out) {
        return out.lines().takeWhile(line -> !line.startsWith("per tensor")).filter(line -> line.matches("\\s*\\d+\\s+.*")).toList();
    }

    /** The rows of the per-tensor summary, without its heading. */
    private static List<String> summaryRows(String out) {
        return out.lines().dropWhile(line -> !line.startsWith("per tensor")).skip(2).takeWhile(line -> !line.startsWith("result:")).toList();
    }

    private static JsonNode worstTensor(JsonNode step) {
        JsonNode worst = null;
        for (JsonNode tensor : step.get("tensors")) {
            if (worst == null || ratio(tensor) > ratio(worst)) worst = tensor;
        }
        return worst;
    }

    private static double ratio(JsonNode tensor) {
        JsonNode value = tensor.get("toleranceUsed");
        return value.isNumber() ? value.asDouble() : Double.POSITIVE_INFINITY;
    }

    private static String[] concat(String[] first, String... more) {
        String[] all = Arrays.copyOf(first, first.length + more.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }

    /** Negates the {@code call}-th weight gradient computed for a conv weight of {@code shape}. */
    private static final class FlippedWeightGradient extends ForwardingBackend {
        private final Shape shape;
        private final int call;
        private int calls;

        FlippedWeightGradient(Backend delegate, Shape shape, int call) {
            super(delegate);
            this.shape = shape;
            this.call = call;
        }

        public Tensor conv2dBackwardWeight(Tensor input, Tensor gradOutput, Shape weightShape, Conv2dSpec spec) {
            Tensor result = forwarded().conv2dBackwardWeight(input, gradOutput, weightShape, spec);
            if (!weightShape.equals(shape) || ++calls != call) return result;
            float[] values = result.toArray();
            for (int i = 0; i < values.length; i++) values[i] = -values[i];
            result.close();
            return backend().fromArray(weightShape, values);
        }
    }
}
