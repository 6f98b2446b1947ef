package dev.isthmus.backend.cpu;

import dev.isthmus.IsthmusException;

/** The cpu backend cannot run here: the message says why and how to fix it (e.g. install libdnnl2). Exit code 3. */
public final class CpuBackendUnavailableException extends IsthmusException {
    /**
     * The exception for one reason.
     *
     * @param reason why oneDNN is not usable, with the fix
     */
    public CpuBackendUnavailableException(String reason) {
        super(EXIT_CUDA_UNAVAILABLE, "cpu backend not usable: " + reason + " (details: `isthmus doctor`)");
    }
}
