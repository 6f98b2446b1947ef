package dev.isthmus.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Charts are optional output: a chart that cannot be drawn is a one-line warning, never a failed run.
 * On a minimal machine without fonts AWT fails with an {@link Error} ("No physical fonts found") or a
 * RuntimeException ("Fontconfig head is null") rather than an IOException, after the real work is done.
 */
final class OptionalChart {

    /** Draws and writes one chart file. */
    @FunctionalInterface
    interface Drawing {
        void write(Path png) throws Exception;
    }

    private OptionalChart() {
    }

    /** Writes the chart; on any failure but the JVM's own (out of memory), prints one warning line and returns false. */
    static boolean write(Path png, Drawing drawing, PrintWriter err) {
        try {
            drawing.write(png);
            return true;
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Exception | Error e) {
            err.println("isthmus: warning: chart " + png + " not written (" + describe(e) + "); the run's other results are complete");
            err.flush();
            return false;
        }
    }

    static String describe(Throwable e) {
        String message = e.getMessage() == null ? "" : e.getMessage().strip().replaceAll("\\s+", " ");
        String text = e.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
        return message.toLowerCase(Locale.ROOT).contains("font")
                ? text + "; the Java runtime finds no font: install one, e.g. the fonts-dejavu-core package"
                : text;
    }
}
