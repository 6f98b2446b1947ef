package dev.isthmus.train;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.cpu.CpuBackends;

/** PyTorch's own Adam and AdamW steps, on the cpu backend (which inherits the reference's Adam kernel). */
class CpuPyTorchGoldenAdamTest extends PyTorchGoldenAdamSuite {
    @Override
    protected Backend openBackend() {
        return CpuBackends.openOrSkip();
    }
}
