package dev.isthmus.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.isthmus.IsthmusException;
import dev.isthmus.backend.cpu.DnnlLibrary;
import dev.isthmus.backend.cuda.CudaEnvironment;
import dev.isthmus.backend.cuda.nativelib.CudaComponent;
import dev.isthmus.backend.cuda.nativelib.CudaQueries;
import dev.isthmus.backend.cuda.nativelib.Gpu;
import dev.isthmus.backend.cuda.nativelib.LibraryFile;
import dev.isthmus.backend.cuda.nativelib.LoadOutcome;
import dev.isthmus.backend.cuda.nativelib.NotFound;
import dev.isthmus.backend.cuda.nativelib.SearchLocation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code isthmus doctor}: what the CUDA backend would find here, and what to fix. */
@Command(name = "doctor",
        description = {
                "Diagnose the native set-up: JDK, OS, CUDA runtime, cuBLAS, cuDNN (where each was found, its version,"
                        + " or why not), NVIDIA driver, GPUs, oneDNN (the cpu backend), and the backend `--backend auto` would pick.",
                "Libraries are searched in ISTHMUS_CUDA_PATH (or -Disthmus.cuda.path), CUDA_HOME, CUDNN_HOME,"
                        + " LD_LIBRARY_PATH, the dynamic linker's cache, system folders, Python packages (nvidia-*"
                        + " wheels, e.g. PyTorch's; the python3 on PATH is asked for its own) and conda environments,"
                        + " preferring one installation that has all three; ISTHMUS_CUDART_LIBRARY,"
                        + " ISTHMUS_CUBLAS_LIBRARY and ISTHMUS_CUDNN_LIBRARY name one file each."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:the CUDA backend is usable",
                "3:the CUDA backend is not usable here (the report says why and how to fix it)"})
public final class DoctorCommand implements Callable<Integer> {

    @Option(names = "--json", description = "Print the report as JSON (same facts as the text report).")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        CudaEnvironment environment = CudaEnvironment.probe();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            try {
                ObjectNode report = environment.toJson();
                DnnlLibrary.Status dnnl = DnnlLibrary.load();
                ObjectNode cpu = report.putObject("cpuBackend").put("usable", dnnl.usable()).put("library", "oneDNN")
                        .put("version", dnnl.version()).put("path", dnnl.path().map(Path::toString).orElse(null));
                dnnl.unusableReason().ifPresent(reason -> cpu.put("unusableReason", reason));
                AutoBackend auto = AutoBackend.choose();
                report.putObject("autoBackend").put("backend", auto.backend()).put("reason", auto.reason());
                out.println(JsonMapper.builder().build().writerWithDefaultPrettyPrinter().writeValueAsString(report));
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            printText(environment, out);
        }
        out.flush();
        return environment.usable() ? 0 : IsthmusException.EXIT_CUDA_UNAVAILABLE;
    }

    static void printText(CudaEnvironment environment, PrintWriter out) {
        CudaEnvironment.Platform platform = environment.platform();
        out.println("Java     " + platform.javaVersion() + " (" + platform.javaVendor() + ")");
        out.println("OS       " + platform.osName() + " " + platform.osVersion() + " (" + platform.osArch() + ")");
        out.println();
        environment.libraries().chosenSet().ifPresent(set -> out.println(
                "Libraries from one installation: " + set.name() + " (runtime, cuBLAS and cuDNN of one CUDA version)"));
        for (CudaComponent component : CudaComponent.values()) {
            printLibrary(environment, component, out);
        }
        List<Path> scanned = environment.libraries().config().scanned();
        if (!scanned.isEmpty() && environment.libraries().outcomes().stream().anyMatch(NotFound.class::isInstance)) {
            out.println("         Python and conda installs searched for nvidia/*/lib and torch/lib: "
                    + scanned.stream().map(Object::toString).collect(Collectors.joining(", ")));
        }
        environment.versions().cudnnCudart().ifPresent(v -> out.println(
                "         cuDNN was built for CUDA " + CudaQueries.cudaVersionText(v)));
        out.println();
        out.println("Driver   " + environment.versions().driver().stream()
                .mapToObj(v -> v == 0 ? "none (cudaDriverGetVersion reports 0: no NVIDIA driver installed)"
                        : "supports CUDA " + CudaQueries.cudaVersionText(v))
                .findFirst().orElse("unknown (the CUDA runtime is not loaded)"));
        if (environment.gpus().isEmpty()) {
            out.println("GPUs     none usable: " + environment.gpuProblem().orElse("unknown"));
        } else {
            for (Gpu gpu : environment.gpus()) {
                out.println("GPUs     " + gpu.describe());
            }
        }
        out.println();
        DnnlLibrary.Status dnnl = DnnlLibrary.load();
        out.println("oneDNN   " + (dnnl.usable() ? dnnl.version() + " loaded from " + dnnl.path().orElseThrow() + " (the cpu backend is usable)"
                : "not usable, so no cpu backend: " + dnnl.unusableReason().orElseThrow()));
        out.println();
        out.println("--backend auto would pick: " + AutoBackend.choose().backend());
        if (environment.usable()) {
            out.println("CUDA backend: usable (" + environment.autoBackend().reason() + ")");
        } else {
            out.println("CUDA backend: NOT usable (exit code " + IsthmusException.EXIT_CUDA_UNAVAILABLE + "). To fix:");
            environment.problems().forEach(problem -> out.println("  - " + problem));
        }
    }

    private static void printLibrary(CudaEnvironment environment, CudaComponent component, PrintWriter out) {
        String label = String.format("%-9s", component.displayName().replace("CUDA runtime", "cudart"));
        switch (environment.library(component)) {
            case LoadOutcome.Loaded loaded -> {
                out.println(label + environment.versionText(component).map(v -> v + " ").orElse("version unknown, ")
                        + "loaded from " + loaded.mainFile().path() + " (found via " + loaded.mainFile().source() + ")");
                List<LibraryFile> others = loaded.files().subList(0, loaded.files().size() - 1);
                if (!others.isEmpty()) {
                    out.println("         with " + others.stream().map(file -> file.path().getFileName().toString())
                            .collect(Collectors.joining(", ")));
                }
                if (!loaded.absentOptional().isEmpty()) {
                    out.println("         absent (optional): " + loaded.absentOptional().stream()
                            .map(library -> library.fileName(loaded.major())).collect(Collectors.joining(", ")));
                }
                loaded.optionalFailed().forEach(failure -> out.println(
                        "         optional, failed to load (" + component.displayName() + " works without it): " + failure.describe()));
            }
            case LoadOutcome.LoadFailed failed -> {
                out.println(label + "FAILED to load " + failed.file().path() + " (found via " + failed.file().source() + ")");
                out.println("         the operating system says: " + failed.osReason());
            }
            case NotFound notFound -> {
                out.println(label + "NOT FOUND: " + notFound.problem());
                List<SearchLocation> existing = notFound.lookedIn().stream().filter(SearchLocation::exists).toList();
                if (!notFound.lookedIn().isEmpty()) {
                    out.println("         looked in " + existing.size() + " existing folder(s)" + (existing.isEmpty() ? "" : ":"));
                    existing.forEach(location -> out.println("           " + location));
                }
                // Folders a setting named that do not exist are likely typos; missing default folders are not news.
                notFound.lookedIn().stream()
                        .filter(location -> !location.exists() && !location.source().equals("system"))
                        .forEach(location -> out.println("         named but missing: " + location));
                notFound.unsupportedSeen().forEach(path -> out.println("         unsupported version present: " + path));
            }
        }
    }
}
