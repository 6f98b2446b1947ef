package dev.isthmus.train;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.reference.ReferenceBackend;

/** PyTorch's own Adam and AdamW steps, on the reference backend. */
class ReferencePyTorchGoldenAdamTest extends PyTorchGoldenAdamSuite {
    @Override
    protected Backend openBackend() {
        return new ReferenceBackend();
    }
}
