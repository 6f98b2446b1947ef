package dev.isthmus.backend.cuda;

import dev.isthmus.testing.standin.CudaStandIn;
import org.junit.jupiter.api.Tag;

/**
 * The conformance suite once more with the other settings: algorithms found by timing
 * ({@code cudnnFind*}), deterministic algorithms and pooling only, and TF32 allowed, on the CPU stand-in.
 * (The workspace cap has its own tests in {@link StandInCudaResourcesTest}.)
 */
@Tag("standin")
class StandInFindDeterministicConformanceTest extends CudaConformanceSuite {
    @Override
    protected void prepareLibraries() {
        CudaStandIn.useForCudaBackend();
    }

    @Override
    protected CudaOptions options() {
        return CudaOptions.defaults().withAlgorithmSearch(AlgorithmSearch.FIND).withDeterministic(true).withTf32(true);
    }
}
