package dev.isthmus.backend.cuda;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.isthmus.backend.cuda.nativelib.CudaQueries;
import dev.isthmus.backend.cuda.nativelib.Gpu;
import dev.isthmus.backend.cuda.nativelib.LoadOutcome;
import dev.isthmus.backend.cuda.nativelib.NotFound;

/** {@link CudaEnvironment#toJson()}: the same facts as {@code isthmus doctor} prints, as JSON. */
final class EnvironmentJson {
    private EnvironmentJson() {
    }

    /**
     * The report.
     *
     * @param environment what was probed
     * @return the JSON tree
     */
    static ObjectNode of(CudaEnvironment environment) {
        CudaEnvironment.Platform platform = environment.platform();
        var libraries = environment.libraries();
        var versions = environment.versions();
        JsonMapper mapper = JsonMapper.builder().build();
        ObjectNode root = mapper.createObjectNode();
        root.put("usable", environment.usable());
        environment.unusableReason().ifPresentOrElse(reason -> root.put("unusableReason", reason), () -> root.putNull("unusableReason"));
        ArrayNode problemArray = root.putArray("problems");
        environment.problems().forEach(problemArray::add);
        CudaEnvironment.BackendChoice auto = environment.autoBackend();
        root.putObject("autoBackend").put("backend", auto.backend()).put("reason", auto.reason());

        root.putObject("java").put("version", platform.javaVersion()).put("vendor", platform.javaVendor());
        root.putObject("os").put("name", platform.osName()).put("version", platform.osVersion())
                .put("arch", platform.osArch());

        ArrayNode libraryArray = root.putArray("libraries");
        for (LoadOutcome outcome : libraries.outcomes()) {
            ObjectNode node = libraryArray.addObject();
            node.put("component", outcome.component().key()).put("name", outcome.component().displayName());
            switch (outcome) {
                case LoadOutcome.Loaded loaded -> {
                    node.put("status", "loaded").put("major", loaded.major());
                    node.put("path", loaded.mainFile().path().toString()).put("foundVia", loaded.mainFile().source());
                    environment.versionText(outcome.component()).ifPresent(text -> node.put("version", text));
                    ArrayNode files = node.putArray("files");
                    loaded.files().forEach(file -> files.addObject().put("library", file.library().baseName())
                            .put("path", file.path().toString()).put("source", file.source()));
                    ArrayNode absent = node.putArray("absentOptional");
                    loaded.absentOptional().forEach(library -> absent.add(library.fileName(loaded.major())));
                    ArrayNode optionalFailed = node.putArray("optionalFailed");
                    loaded.optionalFailed().forEach(failure -> optionalFailed.addObject()
                            .put("path", failure.file().path().toString()).put("osReason", failure.osReason()));
                }
                case LoadOutcome.LoadFailed failed -> {
                    node.put("status", "load-failed");
                    node.put("path", failed.file().path().toString()).put("foundVia", failed.file().source());
                    node.put("osReason", failed.osReason());
                    node.put("problem", failed.diagnosis());
                }
                case NotFound notFound -> {
                    node.put("status", "not-found");
                    node.put("problem", notFound.diagnosis());
                    ArrayNode looked = node.putArray("lookedIn");
                    notFound.lookedIn().forEach(location -> looked.addObject()
                            .put("folder", location.folder().toString()).put("source", location.source())
                            .put("exists", location.exists()));
                    ArrayNode unsupported = node.putArray("unsupportedSeen");
                    notFound.unsupportedSeen().forEach(path -> unsupported.add(path.toString()));
                }
            }
        }
        versions.cudnnCudart().ifPresent(v -> root.put("cudnnBuiltForCuda", CudaQueries.cudaVersionText(v)));

        ObjectNode driver = root.putObject("driver");
        versions.driver().ifPresentOrElse(v -> {
            driver.put("versionNumber", v);
            driver.put("supportsCuda", v == 0 ? "none (no driver)" : CudaQueries.cudaVersionText(v));
        }, () -> driver.putNull("versionNumber"));

        ArrayNode gpuArray = root.putArray("gpus");
        for (Gpu gpu : environment.gpus()) {
            gpuArray.addObject().put("index", gpu.index()).put("name", gpu.name())
                    .put("totalMemoryBytes", gpu.totalMemoryBytes()).put("computeCapability", gpu.computeCapability())
                    .put("multiprocessors", gpu.multiprocessors());
        }
        environment.gpuProblem().ifPresentOrElse(problem -> root.put("gpuProblem", problem), () -> root.putNull("gpuProblem"));

        libraries.chosenSet().ifPresentOrElse(set -> root.put("librariesFromOneInstallation", set.name()),
                () -> root.putNull("librariesFromOneInstallation"));
        ArrayNode searched = root.putObject("search").putArray("locations");
        libraries.config().locations().forEach(location -> searched.addObject()
                .put("folder", location.folder().toString()).put("source", location.source())
                .put("exists", location.exists()));
        ArrayNode scanned = ((ObjectNode) root.get("search")).putArray("scannedForPackages");
        libraries.config().scanned().forEach(path -> scanned.add(path.toString()));
        return root;
    }
}
