package dev.isthmus.backend.cuda;

import org.junit.jupiter.api.Tag;

/**
 * The conformance suite on a real GPU. Skipped, with the reason printed, where no usable GPU is found
 * (see {@link GpuAvailability}); runs on a GPU machine through native-scripts/device-check.sh.
 */
@Tag("gpu")
class GpuCudaConformanceTest extends CudaConformanceSuite {
    @Override
    protected void prepareLibraries() {
        GpuAvailability.assumeRealGpu();
    }
}
