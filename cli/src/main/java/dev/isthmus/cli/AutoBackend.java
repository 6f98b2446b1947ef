package dev.isthmus.cli;

import dev.isthmus.backend.cpu.DnnlLibrary;
import dev.isthmus.backend.cuda.CudaEnvironment;

/** What {@code --backend auto} picks: cuda when usable, else cpu (oneDNN) when usable, else reference; and why. */
record AutoBackend(String backend, String reason) {

    static AutoBackend choose() {
        CudaEnvironment cuda = CudaEnvironment.probe();
        if (cuda.usable()) {
            return new AutoBackend("cuda", cuda.autoBackend().reason());
        }
        String noCuda = "CUDA not usable: " + cuda.unusableReason().orElse("unknown");
        DnnlLibrary.Status dnnl = DnnlLibrary.load();
        if (dnnl.usable()) {
            return new AutoBackend("cpu", noCuda + "; oneDNN " + dnnl.version() + " found at " + dnnl.path().orElseThrow());
        }
        return new AutoBackend("reference", noCuda + "; " + dnnl.unusableReason().orElseThrow());
    }

    /** The line the commands print on stderr, e.g. {@code backend: cpu (auto: CUDA not usable: ...; oneDNN 2.6.3 found at ...)}. */
    String line() {
        return "backend: " + backend + " (auto: " + reason + ")";
    }
}
