package dev.isthmus.cli;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.cuda.CudaEnvironment;
import dev.isthmus.backend.reference.ReferenceBackend;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/** Which backend to run on, and its settings. No silent fallback: {@code cuda} fails when CUDA is not usable. */
final class BackendOptions {
    enum Choice { auto, reference, cuda }

    @Option(names = "--backend", defaultValue = "auto",
            description = "auto (CUDA when usable, else reference), reference or cuda (default: ${DEFAULT-VALUE}).")
    Choice backend = Choice.auto;

    @Mixin
    CudaSettings cuda = new CudaSettings();

    /** Opens the chosen backend; for auto, tells on {@code err} which one was picked and why. */
    Backend open(PrintWriter err) {
        return switch (backend) {
            case reference -> new ReferenceBackend();
            case cuda -> cuda.open("cuda");
            case auto -> {
                CudaEnvironment environment = CudaEnvironment.probe();
                if (environment.usable()) {
                    err.println("backend: cuda (auto: a usable GPU was found)");
                    yield cuda.open("cuda");
                }
                err.println("backend: reference (auto: " + environment.autoBackend().reason() + ")");
                yield new ReferenceBackend();
            }
        };
    }
}
