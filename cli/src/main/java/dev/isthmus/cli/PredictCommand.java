package dev.isthmus.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.isthmus.IsthmusException;
import dev.isthmus.backend.Backend;
import dev.isthmus.checkpoint.SafeTensors;
import dev.isthmus.image.ImageFiles;
import dev.isthmus.image.ImagePreparation;
import dev.isthmus.infer.InputSpec;
import dev.isthmus.infer.Prediction;
import dev.isthmus.infer.Predictor;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Models;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code isthmus predict}: classifies image files with a trained checkpoint. */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Classify images (PNG, JPEG, GIF, BMP, PGM; any size) with a checkpoint: the top classes and their probabilities.",
                "Each image is made grey, prepared as the model's training images were (MNIST digits: polarity, 20x20 box,"
                        + " centre of mass) and normalised with the training statistics.",
                "A file that cannot be read gets one error line and the others go on (unless --fail-fast); the exit code is then 2."})
public final class PredictCommand implements Callable<Integer> {

    @Option(names = "--checkpoint", required = true, paramLabel = "FILE", description = "model.safetensors written by `isthmus train`.")
    Path checkpoint;

    @Option(names = "--model", completionCandidates = ModelIds.class,
            description = "${COMPLETION-CANDIDATES} (default: read from the checkpoint).")
    String model;

    @Option(names = "--top", defaultValue = "3", paramLabel = "K", description = "How many classes to print per image (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--json", description = "Print the results as one JSON document.")
    boolean json;

    @Option(names = "--invert", arity = "0..1", fallbackValue = "invert", defaultValue = "auto", paramLabel = "WHEN",
            description = "Invert grey levels (dark ink on light paper to MNIST's light on dark): --invert always, --invert=keep never,"
                    + " auto when the image's border is light (default: ${DEFAULT-VALUE}).")
    String invert;

    @Option(names = "--fail-fast", description = "Stop at the first file that cannot be read.")
    boolean failFast;

    @Option(names = "--batch-size", defaultValue = "64", description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Parameters(arity = "1..*", paramLabel = "IMAGE|DIR", description = "Image files, or folders whose image files (searched recursively) are all classified.")
    List<Path> inputs;

    @Mixin
    BackendOptions backendOptions;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private final List<String> failures = new ArrayList<>();

    @Override
    public Integer call() {
        if (top <= 0) throw new IllegalArgumentException("--top must be at least 1, got " + top);
        if (batchSize <= 0) throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
        ImagePreparation.Polarity polarity = ImagePreparation.Polarity.parse(invert);
        if (model != null) Models.byId(model);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ImageInputs files = ImageInputs.expand(inputs);
        files.skipped().forEach(note -> err.println("note: " + note));
        for (String problem : files.problems()) {
            if (fail(err, problem)) return IsthmusException.EXIT_BAD_INPUT;
        }
        ObjectNode document = JsonMapper.builder().build().createObjectNode();
        ArrayNode results = document.putArray("predictions");
        try (Backend backend = backendOptions.open(err); Loaded loaded = load(backend)) {
            Predictor predictor = loaded.predictor();
            document.put("checkpoint", checkpoint.toString()).put("model", predictor.model().name()).put("backend", backend.name());
            boolean stop = false;
            for (int start = 0; start < files.images().size() && !stop; start += batchSize) {
                List<Path> chunk = files.images().subList(start, Math.min(files.images().size(), start + batchSize));
                List<Path> read = new ArrayList<>();
                List<float[]> prepared = new ArrayList<>();
                for (Path file : chunk) {
                    try {
                        prepared.add(predictor.prepare(ImageFiles.read(file), polarity));
                        read.add(file);
                    } catch (IsthmusException e) {
                        stop = fail(err, e.getMessage());
                        if (stop) break; // the images read before it are still classified
                    }
                }
                if (prepared.isEmpty()) continue;
                List<Prediction> predictions = predictor.predictBatch(prepared);
                for (int i = 0; i < read.size(); i++) {
                    List<Prediction.Scored> best = predictions.get(i).top(top);
                    if (json) {
                        ObjectNode entry = results.addObject().put("file", read.get(i).toString());
                        ArrayNode classes = entry.putArray("top");
                        best.forEach(s -> classes.addObject().put("index", s.index()).put("name", s.name()).put("probability", s.probability()));
                    } else {
                        out.println(read.get(i) + ": " + best.stream()
                                .map(s -> String.format(Locale.ROOT, "%s %.2f%%", s.name(), 100 * s.probability()))
                                .collect(Collectors.joining(", ")));
                    }
                }
            }
        }
        if (json) {
            ArrayNode errors = document.putArray("errors");
            failures.forEach(errors::add);
            try {
                out.println(JsonMapper.builder().build().writerWithDefaultPrettyPrinter().writeValueAsString(document));
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        }
        out.flush();
        if (failures.isEmpty()) return 0;
        if (!failFast) err.println("isthmus: " + failures.size() + " input(s) could not be classified (listed above)");
        return IsthmusException.EXIT_BAD_INPUT;
    }

    /** Reports one bad input; true when the run stops here (--fail-fast). */
    private boolean fail(PrintWriter err, String message) {
        String line = message.lines().findFirst().orElse(message);
        failures.add(line);
        err.println("isthmus: " + line);
        err.flush();
        return failFast;
    }

    /** The predictor and, for --model, the network it runs on (closed here). */
    private record Loaded(Predictor predictor, Model ownModel) implements AutoCloseable {
        @Override
        public void close() {
            predictor.close();
            if (ownModel != null) ownModel.close();
        }
    }

    private Loaded load(Backend backend) {
        if (model == null) return new Loaded(Predictor.load(checkpoint, backend), null);
        InputSpec input = InputSpec.fromMetadata(SafeTensors.read(checkpoint).metadata(), checkpoint);
        Model net = Models.byId(model).createWithClasses(backend, input.classes());
        try {
            return new Loaded(Predictor.load(checkpoint, net), net);
        } catch (RuntimeException e) {
            net.close();
            throw e;
        }
    }
}
