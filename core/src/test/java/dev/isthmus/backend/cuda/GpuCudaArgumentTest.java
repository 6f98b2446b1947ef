package dev.isthmus.backend.cuda;

import dev.isthmus.backend.Backend;
import dev.isthmus.testing.BackendArgumentSuite;
import org.junit.jupiter.api.Tag;

/** The argument-error suite on the CUDA backend on a real GPU; skipped where none is usable. */
@Tag("gpu")
class GpuCudaArgumentTest extends BackendArgumentSuite {
    @Override
    protected Backend openBackend() {
        GpuAvailability.assumeRealGpu();
        return CudaBackend.open();
    }
}
