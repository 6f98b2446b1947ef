package dev.isthmus.nn;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.reference.ReferenceBackend;

/** PyTorch's own logits, loss and gradients of the lesson's networks, on the reference backend. */
class ReferencePyTorchGoldenStepTest extends PyTorchGoldenStepSuite {
    @Override
    protected Backend openBackend() {
        return new ReferenceBackend();
    }
}
