package dev.isthmus.backend.cpu;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Opens the cpu backend for a test, or skips the test saying why oneDNN is not usable here. */
public final class CpuBackends {
    private CpuBackends() {
    }

    public static CpuBackend openOrSkip() {
        DnnlLibrary.Status status = DnnlLibrary.load();
        assumeTrue(status.usable(), () -> status.unusableReason().orElse(""));
        return CpuBackend.open();
    }
}
