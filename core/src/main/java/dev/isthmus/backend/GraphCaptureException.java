package dev.isthmus.backend;

/** A step could not be captured as a graph; the message says why (e.g. the CUDA call that was refused). */
public final class GraphCaptureException extends RuntimeException {
    public GraphCaptureException(String message, Throwable cause) {
        super(message, cause);
    }
}
