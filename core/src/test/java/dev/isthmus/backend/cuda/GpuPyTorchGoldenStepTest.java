package dev.isthmus.backend.cuda;

import dev.isthmus.backend.Backend;
import dev.isthmus.nn.PyTorchGoldenStepSuite;
import org.junit.jupiter.api.Tag;

/**
 * PyTorch's own logits, loss and gradients of the lesson's networks, on a real GPU (TF32 off, the
 * default). Skipped, with the reason printed, where no usable GPU is found ({@link GpuAvailability}).
 */
@Tag("gpu")
class GpuPyTorchGoldenStepTest extends PyTorchGoldenStepSuite {
    @Override
    protected void prepareLibraries() {
        GpuAvailability.assumeRealGpu();
    }

    @Override
    protected Backend openBackend() {
        return CudaBackend.open(CudaOptions.defaults());
    }
}
