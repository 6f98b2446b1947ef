package dev.isthmus.nn;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.cpu.CpuBackends;

/** PyTorch's own logits, loss and gradients of the lesson's networks, on the cpu (oneDNN) backend. */
class CpuPyTorchGoldenStepTest extends PyTorchGoldenStepSuite {
    @Override
    protected Backend openBackend() {
        return CpuBackends.openOrSkip();
    }
}
