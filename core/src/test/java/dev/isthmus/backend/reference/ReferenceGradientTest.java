package dev.isthmus.backend.reference;

import dev.isthmus.backend.Backend;
import dev.isthmus.testing.BackendGradientSuite;

/** Every backward pass of the reference backend against finite differences of its forward pass. */
class ReferenceGradientTest extends BackendGradientSuite {
    @Override
    protected Backend openBackend() {
        return new ReferenceBackend();
    }
}
