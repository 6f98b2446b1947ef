package dev.isthmus.backend.cuda;

import dev.isthmus.backend.Backend;
import dev.isthmus.train.PyTorchGoldenAdamSuite;
import org.junit.jupiter.api.Tag;

/** PyTorch's own Adam and AdamW steps on a real GPU. Skipped, with the reason printed, where no usable GPU is found. */
@Tag("gpu")
class GpuPyTorchGoldenAdamTest extends PyTorchGoldenAdamSuite {
    @Override
    protected void prepareLibraries() {
        GpuAvailability.assumeRealGpu();
    }

    @Override
    protected Backend openBackend() {
        return CudaBackend.open(CudaOptions.defaults());
    }

    @Override
    protected double tolerance() {
        return 1e-5;
    }
}
