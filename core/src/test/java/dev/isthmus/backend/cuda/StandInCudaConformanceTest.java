package dev.isthmus.backend.cuda;

import dev.isthmus.testing.standin.CudaStandIn;
import org.junit.jupiter.api.Tag;

/**
 * The conformance suite on the CPU stand-in libraries: proves our calls are well-formed and give the
 * reference backend's numbers when the libraries compute what NVIDIA documents. Says nothing about a GPU.
 */
@Tag("standin")
class StandInCudaConformanceTest extends CudaConformanceSuite {
    @Override
    protected void prepareLibraries() {
        CudaStandIn.useForCudaBackend();
    }
}
