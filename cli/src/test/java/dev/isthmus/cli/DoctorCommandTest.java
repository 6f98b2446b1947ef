package dev.isthmus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.isthmus.IsthmusException;
import dev.isthmus.backend.cpu.DnnlLibrary;
import dev.isthmus.backend.cuda.CudaEnvironment;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs {@code isthmus doctor} on this machine. CI and development machines have no GPU and no NVIDIA
 * driver, so the expected answer there is exit code 3 with the reason in plain words; on a machine with a
 * usable GPU the command must say so and exit with 0. Loads the real CUDA runtime when installed; never a
 * stand-in.
 */
class DoctorCommandTest {
    private static final boolean CUDA_13_INSTALLED = Files.isRegularFile(Path.of("/usr/local/cuda-13.0/lib64/libcudart.so.13"));

    private record Run(int exitCode, String out) {
    }

    private static Run doctor(String... args) {
        StringWriter out = new StringWriter();
        CommandLine command = new CommandLine(new DoctorCommand());
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(new StringWriter(), true));
        return new Run(command.execute(args), out.toString());
    }

    @Test
    void exitCodeFollowsTheVerdict() {
        Run run = doctor();

        boolean usable = CudaEnvironment.probe().usable();
        assertEquals(usable ? 0 : IsthmusException.EXIT_CUDA_UNAVAILABLE, run.exitCode(), run.out());
        String fallback = DnnlLibrary.load().usable() ? "cpu" : "reference";
        assertTrue(run.out().contains("--backend auto would pick: " + (usable ? "cuda" : fallback)), run.out());
    }

    @Test
    void reportsWhyCudaIsUnusableAndExitsWithThree() {
        Assumptions.assumeFalse(CudaEnvironment.probe().usable(), "skipped: the CUDA backend is usable here");
        Run run = doctor();

        assertEquals(IsthmusException.EXIT_CUDA_UNAVAILABLE, run.exitCode(), run.out());
        assertTrue(run.out().startsWith("Java     " + Runtime.version()), run.out());
        assertTrue(run.out().contains("\nOS       "), run.out());
        assertTrue(run.out().contains("--backend auto would pick: " + (DnnlLibrary.load().usable() ? "cpu" : "reference")), run.out());
        assertTrue(run.out().contains("\noneDNN   " + (DnnlLibrary.load().usable() ? DnnlLibrary.load().version() + " loaded from " : "not usable")), run.out());
        assertTrue(run.out().contains("CUDA backend: NOT usable (exit code 3). To fix:"), run.out());
        assertTrue(run.out().contains("cuDNN    "), run.out());
        if (CUDA_13_INSTALLED && CudaEnvironment.probe().versions().driver().orElse(-1) == 0) {
            assertTrue(run.out().contains("cudart   13.0 loaded from "), run.out());
            assertTrue(run.out().contains("Driver   none"), run.out());
            assertTrue(run.out().contains("GPUs     none usable: no NVIDIA driver: the NVIDIA driver is not installed"
                    + " or too old for CUDA 13.0"), run.out());
        }
    }

    @Test
    void jsonHasTheSameFacts() throws Exception {
        Assumptions.assumeFalse(CudaEnvironment.probe().usable(), "skipped: the CUDA backend is usable here");
        Run text = doctor();
        Run json = doctor("--json");

        assertEquals(text.exitCode(), json.exitCode());
        JsonNode report = JsonMapper.builder().build().readTree(json.out());
        assertFalse(report.get("usable").asBoolean());
        assertEquals(DnnlLibrary.load().usable() ? "cpu" : "reference", report.get("autoBackend").get("backend").asText());
        assertEquals(DnnlLibrary.load().usable(), report.get("cpuBackend").get("usable").asBoolean());
        assertEquals(Runtime.version().toString(), report.get("java").get("version").asText());
        assertEquals(3, report.get("libraries").size());
        for (JsonNode problem : report.get("problems")) {
            assertTrue(text.out().contains("  - " + problem.asText() + "\n"), "text report lacks: " + problem.asText());
        }
        assertTrue(report.get("unusableReason").asText().contains(report.get("problems").get(0).asText()));
        JsonNode runtime = report.get("libraries").get(0);
        assertEquals("cudart", runtime.get("component").asText());
        if (CUDA_13_INSTALLED && report.get("driver").get("versionNumber").asInt(-1) == 0) {
            assertEquals("loaded", runtime.get("status").asText());
            assertEquals("13.0", runtime.get("version").asText());
            assertEquals(0, report.get("driver").get("versionNumber").asInt());
            assertTrue(report.get("gpuProblem").asText().startsWith("no NVIDIA driver"), report.get("gpuProblem").asText());
            assertTrue(text.out().contains(runtime.get("path").asText()));
        }
    }

    @Test
    void helpDocumentsTheExitCodes() {
        StringWriter out = new StringWriter();
        CommandLine command = new CommandLine(new DoctorCommand());
        command.usage(new PrintWriter(out, true));
        assertTrue(out.toString().contains("0   the CUDA backend is usable"), out.toString());
        assertTrue(out.toString().contains("3   the CUDA backend is not usable here"), out.toString());
    }
}
