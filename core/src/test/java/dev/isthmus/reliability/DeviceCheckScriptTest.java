package dev.isthmus.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.isthmus.testing.standin.CudaStandIn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The step machinery of native-scripts/device-check-run.sh (the GPU check), driven with harmless commands:
 * a hanging step is killed at its limit, a step past the overall deadline is NOT RUN, a launcher that
 * aborted its tests is a failure, and the summary is valid JSON whatever the output held.
 */
class DeviceCheckScriptTest {

    @TempDir
    Path temp;

    private static final String SCENARIO = """
            set -uo pipefail
            . "$1/device-check-run.sh"
            work=$2 results=$2/results log_file=$2/device-check.log summary_file=$2/summary.json archive_file=$2/results.tar.gz
            mkdir -p "$results/steps"
            mode=real deadline_s=60 start_epoch=$(date +%s) start_iso=now deadline_epoch=$(( $(date +%s) + 60 ))
            trap finish EXIT
            step "passes" 10 true
            step "says \\"quoted\\" things" 10 bash -c 'printf "a \\"quote\\",\\ta tab and a backslash \\\\\\\\\\n"; exit 3'
            step "hangs" 2 sleep 30
            printf '[        55 tests found           ]\\n[         0 tests skipped         ]\\n[        55 tests started         ]\\n[        55 tests aborted         ]\\n[gpu tests skipped] no usable GPU: no driver\\n' > "$2/junit.txt"
            step "junit" 10 --check check_junit cat "$2/junit.txt"
            deadline_epoch=$(date +%s)
            step "too late" 10 true
            exit 0
            """;

    @Test
    void stepsAreLimitedCheckedAndSummarisedAsJson() throws IOException, InterruptedException {
        Path scripts = CudaStandIn.sourceDir().getParent();
        Path stdout = temp.resolve("stdout.txt");
        Process bash = new ProcessBuilder("bash", "-c", SCENARIO, "scenario", scripts.toString(), temp.toString())
                .redirectErrorStream(true).redirectOutput(stdout.toFile()).start();
        assertTrue(bash.waitFor(60, TimeUnit.SECONDS), "the scenario must end: the hanging step has a 2 s limit");
        String out = Files.readString(stdout, StandardCharsets.UTF_8);

        assertEquals(1, bash.exitValue(), out);
        JsonNode summary = JsonMapper.builder().build().readTree(temp.resolve("summary.json").toFile());
        assertEquals("finished", summary.get("state").asText());
        assertEquals("FAILED", summary.get("overall").asText());
        JsonNode steps = summary.get("steps");
        assertEquals(List.of("PASSED", "FAILED", "TIMED OUT", "FAILED", "NOT RUN"),
                List.of(steps.get(0).get("status").asText(), steps.get(1).get("status").asText(), steps.get(2).get("status").asText(),
                        steps.get(3).get("status").asText(), steps.get(4).get("status").asText()), out);
        assertEquals("says \"quoted\" things", steps.get(1).get("name").asText());
        assertEquals("exit status 3: a \"quote\",\ta tab and a backslash \\", steps.get(1).get("reason").asText());
        assertEquals(2, steps.get(2).get("limit_s").asInt());
        assertTrue(steps.get(2).get("seconds").asInt() < 10, "killed at its limit: " + steps.get(2));
        assertTrue(steps.get(3).get("reason").asText().startsWith("0 skipped and 55 aborted of 55 gpu-tagged tests"), steps.get(3).toString());
        assertTrue(steps.get(3).get("reason").asText().contains("[gpu tests skipped] no usable GPU: no driver"), steps.get(3).toString());
        assertTrue(steps.get(4).get("reason").asText().contains("overall deadline"), steps.get(4).toString());
        assertTrue(out.contains("--- last lines of \"says \"quoted\" things\":\n  | a \"quote\""), out);
        assertTrue(Files.size(temp.resolve("results.tar.gz")) > 0);
    }

    @Test
    void launcherCountsDecide() throws IOException, InterruptedException {
        Path scripts = CudaStandIn.sourceDir().getParent();
        Path none = Files.writeString(temp.resolve("none.txt"), "[         0 tests found           ]\n");
        Path all = Files.writeString(temp.resolve("all.txt"), """
                [        14 containers found      ]
                [         0 containers aborted    ]
                [        55 tests found           ]
                [         0 tests skipped         ]
                [        55 tests started         ]
                [         0 tests aborted         ]
                [        55 tests successful      ]
                """);
        Path silent = Files.writeString(temp.resolve("silent.txt"), "Exception in thread main\n");

        assertEquals("1 no gpu-tagged tests found", checkJunit(scripts, none));
        assertEquals("0 all 55 gpu-tagged tests ran and passed", checkJunit(scripts, all));
        assertEquals("1 the JUnit console launcher printed no summary", checkJunit(scripts, silent));
    }

    private String checkJunit(Path scripts, Path launcherOutput) throws IOException, InterruptedException {
        Process bash = new ProcessBuilder("bash", "-c", ". \"$1/device-check-run.sh\"; why=$(check_junit \"$2\"); echo \"$? $why\"",
                "check", scripts.toString(), launcherOutput.toString()).redirectErrorStream(true).start();
        assertTrue(bash.waitFor(30, TimeUnit.SECONDS));
        return new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }
}
