package dev.isthmus.backend.cuda;

import dev.isthmus.backend.Backend;
import dev.isthmus.testing.standin.CudaStandIn;
import dev.isthmus.train.PyTorchGoldenAdamSuite;
import org.junit.jupiter.api.Tag;

/**
 * PyTorch's own Adam and AdamW steps on the CUDA backend over the CPU stand-in: checks the library route
 * (OpTensor, SetTensor, cublasStbsv as the division) against PyTorch, not NVIDIA's libraries.
 */
@Tag("standin")
class StandInPyTorchGoldenAdamTest extends PyTorchGoldenAdamSuite {
    @Override
    protected void prepareLibraries() {
        CudaStandIn.useForCudaBackend();
    }

    @Override
    protected Backend openBackend() {
        return CudaBackend.open(CudaOptions.defaults());
    }

    /** The route rounds in another order (sqrt(v/bc2) for sqrt(v)/sqrt(bc2), no fused multiply-adds): 2.8e-7 measured. */
    @Override
    protected double tolerance() {
        return 1e-5;
    }
}
