package dev.isthmus.backend.reference;

import dev.isthmus.backend.Backend;
import dev.isthmus.testing.BackendArgumentSuite;

/** The argument-error suite on the reference backend. */
class ReferenceArgumentTest extends BackendArgumentSuite {
    @Override
    protected Backend openBackend() {
        return new ReferenceBackend();
    }
}
