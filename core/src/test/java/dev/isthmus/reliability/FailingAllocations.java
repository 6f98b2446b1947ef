package dev.isthmus.reliability;

import dev.isthmus.backend.Backend;
import dev.isthmus.tensor.Tensor;
import dev.isthmus.testing.ForwardingBackend;

/**
 * A backend whose tensor allocations fail on demand: once armed with {@link #failAfter(int)}, the
 * allocation after the given number of successful ones throws {@link OutOfMemoryError}, as the reference
 * backend's own malloc failure does. Every allocation a backend makes for a caller (op results,
 * {@code zeros}, uploads) passes through {@link #wrap}; the failing one frees what the delegate made, so
 * the double itself leaks nothing and any leak a test sees is the caller's.
 */
final class FailingAllocations extends ForwardingBackend {
    private int allowed = -1;
    private long allocations;

    FailingAllocations(Backend delegate) {
        super(delegate);
    }

    /** Lets {@code successful} more allocations through, then fails the next one; -1 disarms. */
    void failAfter(int successful) {
        allowed = successful;
    }

    /** Allocations made so far (successful or not). */
    long allocations() {
        return allocations;
    }

    @Override
    protected Tensor wrap(Tensor inner) {
        if (inner == null) return null;
        allocations++;
        if (allowed == 0) {
            allowed = -1;
            inner.close();
            throw new OutOfMemoryError("injected: allocation " + allocations + " failed");
        }
        if (allowed > 0) allowed--;
        return super.wrap(inner);
    }
}
