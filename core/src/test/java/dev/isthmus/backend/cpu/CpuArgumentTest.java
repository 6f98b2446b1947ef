package dev.isthmus.backend.cpu;

import dev.isthmus.backend.Backend;
import dev.isthmus.testing.BackendArgumentSuite;

/** The argument-error suite (messages, foreign and closed tensors, the close contract) on the cpu (oneDNN) backend. */
class CpuArgumentTest extends BackendArgumentSuite {
    @Override
    protected Backend openBackend() {
        return CpuBackends.openOrSkip();
    }
}
