package dev.isthmus.backend;

/** A step could not be captured as a graph; the message says why (e.g. the CUDA call that was refused). */
public final class GraphCaptureException extends RuntimeException {
    /**
     * A capture that failed.
     *
     * @param message why, naming the refused call
     * @param cause   the library's error
     */
    public GraphCaptureException(String message, Throwable cause) {
        super(message, cause);
    }
}
