package dev.isthmus.checkpoint;

import dev.isthmus.IsthmusException;

import java.nio.file.Path;

/**
 * A checkpoint that cannot be written, read or used: the message is one line naming the file,
 * the problem and what was expected. The command line prints it and exits with {@link #EXIT_BAD_INPUT}.
 */
public final class CheckpointException extends IsthmusException {

    /**
     * A checkpoint problem.
     *
     * @param message one line: the file, the problem, what was expected
     */
    public CheckpointException(String message) {
        super(EXIT_BAD_INPUT, message);
    }

    /**
     * A checkpoint problem with its cause.
     *
     * @param message one line: the file, the problem, what was expected
     * @param cause   the underlying error
     */
    public CheckpointException(String message, Throwable cause) {
        super(EXIT_BAD_INPUT, message, cause);
    }

    /** A file that is not a valid safetensors file: "{@code file: problem; expected ... (damaged or not a safetensors file)}". */
    static CheckpointException corrupt(Path file, String problem, String expected) {
        return new CheckpointException(file + ": " + problem + "; expected " + expected
                + " (the file is damaged or is not a safetensors checkpoint)");
    }
}
