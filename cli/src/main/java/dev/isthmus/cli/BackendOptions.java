package dev.isthmus.cli;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.reference.ReferenceBackend;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/** Which backend to run on, and its settings. No silent fallback: {@code cuda} and {@code cpu} fail when not usable. */
final class BackendOptions {
    enum Choice { auto, reference, cpu, cuda }

    @Option(names = "--backend", defaultValue = "auto",
            description = "auto (CUDA when usable, else cpu when oneDNN is installed, else reference), reference, cpu (oneDNN) or cuda"
                    + " (default: ${DEFAULT-VALUE}).")
    Choice backend = Choice.auto;

    @Mixin
    CudaSettings cuda = new CudaSettings();

    /** Opens the chosen backend; for auto, tells on {@code err} which one was picked and why. */
    Backend open(PrintWriter err) {
        return switch (backend) {
            case reference -> new ReferenceBackend();
            case cpu, cuda -> cuda.open(backend.name());
            case auto -> {
                AutoBackend pick = AutoBackend.choose();
                err.println(pick.line());
                yield cuda.open(pick.backend());
            }
        };
    }
}
