package dev.isthmus.backend.cpu;

import dev.isthmus.IsthmusException;
import dev.isthmus.bindings.dnnl.Dnnl;

/** A oneDNN call that did not return {@code dnnl_success}, with oneDNN's own name for the status. */
public final class DnnlException extends IsthmusException {
    DnnlException(String message) {
        super(EXIT_FAILURE, message);
    }

    /** Throws unless {@code status} is success; {@code call} names the oneDNN function and what it was for. */
    static void check(int status, String call) {
        if (status != Dnnl.dnnl_success()) {
            String name = Dnnl.dnnl_status2str(status).reinterpret(64).getString(0);
            throw new DnnlException(call + " failed: " + name + " (status " + status + ")");
        }
    }
}
