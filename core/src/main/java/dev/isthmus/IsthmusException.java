package dev.isthmus;

/**
 * An error the user can act on: its message is one line naming the problem and the fix, and the
 * command line turns it into that line and {@link #exitCode()} without a stack trace.
 */
public class IsthmusException extends RuntimeException {
    /** Exit code of an unexpected failure or of running out of GPU memory (exit codes are listed in the README). */
    public static final int EXIT_FAILURE = 1;
    /** Exit code of bad input: arguments, data files, checkpoints. */
    public static final int EXIT_BAD_INPUT = 2;
    /** Exit code when the CUDA backend is not usable here. */
    public static final int EXIT_CUDA_UNAVAILABLE = 3;
    /** Exit code when two backends disagree beyond tolerance. */
    public static final int EXIT_MISMATCH = 4;
    /** Exit code when training diverged (NaN or Inf). */
    public static final int EXIT_DIVERGED = 5;
    /** Exit code when stopped by Ctrl-C. */
    public static final int EXIT_INTERRUPTED = 130;

    /** The process exit code (serialized with the exception). */
    private final int exitCode;

    /**
     * An error with its exit code.
     *
     * @param exitCode one of the {@code EXIT_} codes
     * @param message  one line: the problem and the fix
     */
    public IsthmusException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    /**
     * An error with its exit code and cause (shown only with {@code --verbose}).
     *
     * @param exitCode one of the {@code EXIT_} codes
     * @param message  one line: the problem and the fix
     * @param cause    what went wrong underneath
     */
    public IsthmusException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /**
     * The process exit code for this error.
     *
     * @return one of the {@code EXIT_} codes
     */
    public int exitCode() {
        return exitCode;
    }
}
