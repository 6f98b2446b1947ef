package dev.isthmus.data;

import dev.isthmus.IsthmusException;

import java.nio.file.Path;

/**
 * A data file or folder the user has to fix: missing, corrupt, wrong dataset, or a fetch that
 * found no working source. The message is one line (file, what is wrong, what was expected, the
 * fix); the command line prints it and exits with {@link #EXIT_BAD_INPUT}.
 */
public final class DatasetException extends IsthmusException {

    /**
     * A data problem.
     *
     * @param message the problem and the fix (made one line)
     */
    public DatasetException(String message) {
        super(EXIT_BAD_INPUT, oneLine(message));
    }

    /**
     * A data problem with its cause.
     *
     * @param message the problem and the fix (made one line)
     * @param cause   the underlying error
     */
    public DatasetException(String message, Throwable cause) {
        super(EXIT_BAD_INPUT, oneLine(message), cause);
    }

    /**
     * "{@code file: problem (expected ...); fix}".
     *
     * @param file     the file or folder
     * @param problem  what is wrong
     * @param expected what was expected
     * @param fix      what to do
     */
    public DatasetException(Path file, String problem, String expected, String fix) {
        this(file + ": " + problem + " (expected " + expected + "); " + fix);
    }

    /**
     * Same as {@link #DatasetException(Path, String, String, String)}, keeping the underlying error.
     *
     * @param file     the file or folder
     * @param problem  what is wrong
     * @param expected what was expected
     * @param fix      what to do
     * @param cause    the underlying error
     */
    public DatasetException(Path file, String problem, String expected, String fix, Throwable cause) {
        this(file + ": " + problem + " (expected " + expected + "); " + fix, cause);
    }

    /** Messages quoting tool output or exceptions must still print as a single line. */
    private static String oneLine(String message) {
        return message.replaceAll("\\s*[\\r\\n]+\\s*", " | ").strip();
    }
}
