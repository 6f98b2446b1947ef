package dev.isthmus.cli;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.cuda.AlgorithmSearch;
import dev.isthmus.backend.cuda.CudaBackend;
import dev.isthmus.backend.cuda.CudaEnvironment;
import dev.isthmus.backend.cuda.CudaOptions;
import dev.isthmus.backend.reference.ReferenceBackend;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/** Which backend to run on, and its settings. No silent fallback: {@code cuda} fails when CUDA is not usable. */
final class BackendOptions {
    enum Choice { auto, reference, cuda }

    @Option(names = "--backend", defaultValue = "auto",
            description = "auto (CUDA when usable, else reference), reference or cuda (default: ${DEFAULT-VALUE}).")
    Choice backend = Choice.auto;

    @Option(names = "--device", defaultValue = "0", description = "CUDA device index (default: ${DEFAULT-VALUE}).")
    int device;

    @Option(names = "--cudnn-algo", defaultValue = "heuristic",
            description = "How cuDNN convolution algorithms are chosen: heuristic or find (default: ${DEFAULT-VALUE}).")
    String algorithmSearch = "heuristic";

    @Option(names = "--deterministic", description = "CUDA: only bit-reproducible cuDNN algorithms.")
    boolean deterministic;

    @Option(names = "--tf32", description = "CUDA: allow TF32 tensor-core math (faster, less precise; off by default).")
    boolean tf32;

    /** Opens the chosen backend; for auto, tells on {@code err} which one was picked and why. */
    Backend open(PrintWriter err) {
        return switch (backend) {
            case reference -> new ReferenceBackend();
            case cuda -> openCuda();
            case auto -> {
                CudaEnvironment environment = CudaEnvironment.probe();
                if (environment.usable()) {
                    err.println("backend: cuda (auto: a usable GPU was found)");
                    yield openCuda();
                }
                err.println("backend: reference (auto: " + environment.autoBackend().reason() + ")");
                yield new ReferenceBackend();
            }
        };
    }

    private Backend openCuda() {
        AlgorithmSearch search = switch (algorithmSearch) {
            case "heuristic" -> AlgorithmSearch.HEURISTIC;
            case "find" -> AlgorithmSearch.FIND;
            default -> throw new IllegalArgumentException("--cudnn-algo must be heuristic or find, got '" + algorithmSearch + "'");
        };
        return CudaBackend.open(CudaOptions.defaults().withDevice(device).withAlgorithmSearch(search)
                .withDeterministic(deterministic).withTf32(tf32));
    }
}
