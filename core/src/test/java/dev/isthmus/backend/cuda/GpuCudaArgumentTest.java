package dev.isthmus.backend.cuda;

import dev.isthmus.backend.Backend;
import dev.isthmus.testing.BackendArgumentSuite;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/** The argument-error suite on the CUDA backend on a real GPU; skipped (once, with the reason) where none is usable. */
@Tag("gpu")
class GpuCudaArgumentTest extends BackendArgumentSuite {
    @BeforeAll
    static void requireGpu() {
        GpuAvailability.assumeRealGpu();
    }

    @Override
    protected Backend openBackend() {
        return CudaBackend.open();
    }
}
