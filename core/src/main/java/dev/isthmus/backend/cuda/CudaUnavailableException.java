package dev.isthmus.backend.cuda;

import dev.isthmus.IsthmusException;

/**
 * The CUDA backend cannot run here (library missing or broken, no driver, no GPU, version mismatch).
 * The message is {@link CudaEnvironment#unusableReason()}: what is wrong and how to fix it. Exit code 3.
 */
public final class CudaUnavailableException extends IsthmusException {
    /**
     * The CUDA backend cannot run here.
     *
     * @param diagnosis what is missing or wrong and how to fix it
     */
    public CudaUnavailableException(String diagnosis) {
        super(EXIT_CUDA_UNAVAILABLE, "CUDA backend not usable: " + diagnosis + " (details: `isthmus doctor`)");
    }
}
