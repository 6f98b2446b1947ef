package dev.isthmus.cli;

import dev.isthmus.reliability.JavaProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A chart that cannot be drawn is one warning line, never a failed run (machines without fonts are normal). */
class OptionalChartTest {

    @TempDir
    Path temp;

    private final StringWriter err = new StringWriter();

    @Test
    void awtsNoFontsErrorBecomesOneWarningLine() {
        Path png = temp.resolve("curves.png");

        boolean written = OptionalChart.write(png, p -> {
            throw new Error("Probable fatal error: No physical fonts found.");
        }, new PrintWriter(err, true));

        assertFalse(written);
        String warning = err.toString();
        assertEquals(1, warning.lines().count(), warning);
        assertTrue(warning.startsWith("isthmus: warning: chart " + png + " not written (Error: Probable fatal error: No physical fonts found."), warning);
        assertTrue(warning.contains("fonts-dejavu-core"), warning);
    }

    @Test
    void fontconfigWithoutFontsAndFileProblemsAreWarningsToo() {
        assertFalse(OptionalChart.write(temp.resolve("a.png"), p -> {
            throw new RuntimeException("Fontconfig head is null, check your fonts or fonts configuration");
        }, new PrintWriter(err, true)));
        assertFalse(OptionalChart.write(temp.resolve("b.png"), p -> {
            throw new IOException("Read-only file system");
        }, new PrintWriter(err, true)));

        List<String> lines = err.toString().lines().toList();
        assertEquals(2, lines.size(), err.toString());
        assertTrue(lines.get(1).contains("(IOException: Read-only file system)"), lines.get(1));
    }

    @Test
    void theJvmRunningOutOfMemoryIsNotSwallowed() {
        assertThrows(OutOfMemoryError.class, () -> OptionalChart.write(temp.resolve("c.png"), p -> {
            throw new OutOfMemoryError("Java heap space");
        }, new PrintWriter(err, true)));
    }

    @Test
    void successfulChartSaysNothing() {
        assertTrue(OptionalChart.write(temp.resolve("d.png"), p -> Files.writeString(p, "png"), new PrintWriter(err, true)));
        assertEquals("", err.toString());
    }

    /** A real command in a child JVM whose fontconfig sees no font: the comparison still succeeds. */
    @Test
    void compareSucceedsWhenNoFontIsVisible() throws IOException {
        Path config = Files.writeString(temp.resolve("no-fonts.conf"), "<?xml version=\"1.0\"?>\n<fontconfig></fontconfig>\n");
        Path chart = temp.resolve("compare.png");
        JavaProcess child = JavaProcess.start(temp.resolve("logs"), IsthmusCommand.class.getName(),
                List.of("compare", "--a", "reference", "--b", "reference", "--model", "cnn", "--steps", "1", "--batch-size", "2",
                        "--synthetic", "--chart", chart.toString()),
                Map.of("java.awt.headless", "true"),
                Map.of("FONTCONFIG_FILE", config.toString(), "XDG_CACHE_HOME", temp.resolve("cache").toString()));

        assertEquals(0, child.waitFor(120), child.stderr());
        if (!Files.exists(chart)) {
            // The usual case on a machine whose JDK has no font of its own.
            assertTrue(child.stderr().contains("isthmus: warning: chart " + chart + " not written ("), child.stderr());
        }
        assertFalse(child.stderr().contains("\tat "), "no stack trace: " + child.stderr());
    }
}
