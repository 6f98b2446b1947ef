package dev.isthmus.cli;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.cuda.AlgorithmSearch;
import dev.isthmus.backend.cpu.CpuBackend;
import dev.isthmus.backend.cuda.CudaBackend;
import dev.isthmus.backend.cuda.CudaOptions;
import dev.isthmus.backend.reference.ReferenceBackend;
import picocli.CommandLine.Option;

/** The CUDA backend's settings, shared by every command that can run on it. */
final class CudaSettings {
    @Option(names = "--device", defaultValue = "0", description = "CUDA device index (default: ${DEFAULT-VALUE}).")
    int device;

    @Option(names = "--cudnn-algo", defaultValue = "heuristic",
            description = "How cuDNN convolution algorithms are chosen: heuristic or find (default: ${DEFAULT-VALUE}).")
    String algorithmSearch = "heuristic";

    @Option(names = "--deterministic", description = "CUDA: only bit-reproducible cuDNN algorithms.")
    boolean deterministic;

    @Option(names = "--tf32", description = "CUDA: allow TF32 tensor-core math (faster, less precise; off by default).")
    boolean tf32;

    /** The options these flags describe; throws IllegalArgumentException naming a bad flag. */
    CudaOptions options() {
        if (device < 0) throw new IllegalArgumentException("--device must be 0 or more, got " + device);
        AlgorithmSearch search = switch (algorithmSearch) {
            case "heuristic" -> AlgorithmSearch.HEURISTIC;
            case "find" -> AlgorithmSearch.FIND;
            default -> throw new IllegalArgumentException("--cudnn-algo must be heuristic or find, got '" + algorithmSearch + "'");
        };
        return CudaOptions.defaults().withDevice(device).withAlgorithmSearch(search).withDeterministic(deterministic).withTf32(tf32);
    }

    /** Opens the backend named {@code reference}, {@code cpu} or {@code cuda}; cpu and cuda fail with their diagnosis when not usable. */
    Backend open(String name) {
        return switch (name) {
            case "reference" -> new ReferenceBackend();
            case "cpu" -> CpuBackend.open();
            case "cuda" -> CudaBackend.open(options());
            default -> throw new IllegalArgumentException("unknown backend '" + name + "'; choose reference, cpu or cuda");
        };
    }
}
