package dev.isthmus.backend.cuda;

import dev.isthmus.IsthmusException;
import dev.isthmus.backend.cuda.nativelib.CudaComponent;

/**
 * A CUDA runtime, cuBLAS or cuDNN call returned an error status. The message is one line, e.g.
 * {@code cudnnConvolutionForward failed: CUDNN_STATUS_BAD_PARAM (2000): <cuDNN's own text>}; the parts
 * are available separately for code that reacts to particular statuses. Thrown by {@link CudaCheck}.
 */
public final class CudaException extends IsthmusException {
    /**
     * The library that failed.
     */
    private final CudaComponent library;
    /**
     * The call that failed.
     */
    private final String function;
    /**
     * Its status code.
     */
    private final int status;
    /**
     * The status's enumerator name.
     */
    private final String statusName;
    /**
     * The library's own error text.
     */
    private final String libraryMessage;

    /**
     * A failed library call.
     *
     * @param library        the library
     * @param function       the call
     * @param status         its status code
     * @param statusName     the status's name
     * @param libraryMessage the library's own error text
     */
    public CudaException(CudaComponent library, String function, int status, String statusName, String libraryMessage) {
        super(EXIT_FAILURE, message(function, status, statusName, libraryMessage));
        this.library = library;
        this.function = function;
        this.status = status;
        this.statusName = statusName;
        this.libraryMessage = libraryMessage;
    }

    private static String message(String function, int status, String statusName, String libraryMessage) {
        String line = function + " failed: " + statusName + " (" + status + ")";
        return libraryMessage.isBlank() ? line : line + ": " + libraryMessage.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /**
     * Which library returned the status.
     *
     * @return the library
     */
    public CudaComponent library() {
        return library;
    }

    /**
     * The function that failed, e.g. "cudaMalloc".
     *
     * @return the call
     */
    public String function() {
        return function;
    }

    /**
     * The status number the function returned.
     *
     * @return the status code
     */
    public int status() {
        return status;
    }

    /**
     * The status's name, e.g. "cudaErrorMemoryAllocation" or "CUBLAS_STATUS_ALLOC_FAILED".
     *
     * @return the status's name
     */
    public String statusName() {
        return statusName;
    }

    /**
     * The library's own description of the error; empty when it gave none.
     *
     * @return the library's text
     */
    public String libraryMessage() {
        return libraryMessage;
    }
}
