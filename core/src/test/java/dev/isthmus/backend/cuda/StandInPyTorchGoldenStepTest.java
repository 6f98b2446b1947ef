package dev.isthmus.backend.cuda;

import dev.isthmus.backend.Backend;
import dev.isthmus.nn.PyTorchGoldenStepSuite;
import dev.isthmus.testing.standin.CudaStandIn;
import org.junit.jupiter.api.Tag;

/**
 * PyTorch's own logits, loss and gradients of the lesson's networks, on the CUDA backend over the CPU
 * stand-in: checks our cuDNN/cuBLAS calls against PyTorch, not NVIDIA's libraries.
 */
@Tag("standin")
class StandInPyTorchGoldenStepTest extends PyTorchGoldenStepSuite {
    @Override
    protected void prepareLibraries() {
        CudaStandIn.useForCudaBackend();
    }

    @Override
    protected Backend openBackend() {
        return CudaBackend.open(CudaOptions.defaults());
    }
}
