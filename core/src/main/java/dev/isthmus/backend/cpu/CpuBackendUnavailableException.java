package dev.isthmus.backend.cpu;

/** The fast CPU backend cannot run here; the message says why and how to fix it (e.g. install libdnnl2). */
public final class CpuBackendUnavailableException extends RuntimeException {
    public CpuBackendUnavailableException(String reason) {
        super("cpu backend not usable: " + reason);
    }
}
