package dev.isthmus;

/**
 * An error the user can act on: its message is one line naming the problem and the fix, and the
 * command line turns it into that line and {@link #exitCode()} without a stack trace.
 */
public class IsthmusException extends RuntimeException {
    /** Exit codes shared by every command; documented in the README. */
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_BAD_INPUT = 2;
    public static final int EXIT_CUDA_UNAVAILABLE = 3;
    public static final int EXIT_MISMATCH = 4;
    public static final int EXIT_DIVERGED = 5;
    public static final int EXIT_INTERRUPTED = 130;

    private final int exitCode;

    public IsthmusException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public IsthmusException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
