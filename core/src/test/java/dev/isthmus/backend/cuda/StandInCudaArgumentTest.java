package dev.isthmus.backend.cuda;

import dev.isthmus.backend.Backend;
import dev.isthmus.testing.BackendArgumentSuite;
import dev.isthmus.testing.standin.CudaStandIn;
import org.junit.jupiter.api.Tag;

/** The argument-error suite on the CUDA backend over the CPU stand-in libraries: the same messages as the reference. */
@Tag("standin")
class StandInCudaArgumentTest extends BackendArgumentSuite {
    @Override
    protected Backend openBackend() {
        CudaStandIn.useForCudaBackend();
        return CudaBackend.open();
    }
}
