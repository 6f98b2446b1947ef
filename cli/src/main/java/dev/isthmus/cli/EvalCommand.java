package dev.isthmus.cli;

import dev.isthmus.backend.Backend;
import dev.isthmus.checkpoint.SafeTensors;
import dev.isthmus.data.Batches;
import dev.isthmus.checkpoint.TrainingCheckpoints;
import dev.isthmus.infer.InputSpec;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Models;
import dev.isthmus.train.Evaluation;
import dev.isthmus.train.ModelCheckpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code isthmus eval}: test accuracy and confusion matrix of a checkpoint. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Evaluate a checkpoint on the test set: accuracy and confusion matrix.",
                "With an image folder as --data: on --val DIR, on the share --val-split held out with the checkpoint's seed"
                        + " (the same images as train's), or else on the whole folder."})
public final class EvalCommand implements Callable<Integer> {

    @Option(names = "--checkpoint", required = true, paramLabel = "FILE", description = "model.safetensors written by `isthmus train`.")
    Path checkpoint;

    @Option(names = "--model", completionCandidates = ModelIds.class,
            description = "${COMPLETION-CANDIDATES} (default: read from the checkpoint).")
    String model;

    @Option(names = "--batch-size", defaultValue = "1000", description = "Evaluation batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Mixin
    DataOptions data;

    @Mixin
    ValidationOptions validation;

    @Mixin
    BackendOptions backendOptions;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (batchSize <= 0) throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Map<String, String> metadata = SafeTensors.read(checkpoint).metadata();
        String modelId = model != null ? model : metadata.getOrDefault(TrainingCheckpoints.MODEL, "cnn");
        Models architecture = Models.byId(modelId);
        InputSpec input = InputSpec.fromMetadata(metadata, checkpoint);
        long seed = seedOf(metadata);
        try (Backend backend = backendOptions.open(err); Model net = architecture.createWithClasses(backend, input.classes())) {
            // after the backend, as in train: a CUDA problem is told first
            TrainingData dataset = TrainingData.forEvaluation(data, validation, input, net.sampleShape(), seed, err);
            TrainCommand.requireImageSize(dataset.test(), dataset.description(), net);
            ModelCheckpoint.loadWeights(checkpoint, net);
            Evaluation result = Evaluation.run(net, Batches.inOrder(dataset.test(), batchSize).epoch(0), input.classes());
            out.printf(Locale.ROOT, "%s on %s (%d images, backend %s): accuracy %.2f%% (%d correct)%n",
                    checkpoint, dataset.description(), result.samples(), backend.name(), 100 * result.accuracy(), result.correct());
            printConfusion(out, result.confusion(), dataset.input().classNames());
        }
        return 0;
    }

    /** The seed train held out --val-split with (42, train's default, for checkpoints that do not say). */
    private static long seedOf(Map<String, String> metadata) {
        try {
            return Long.parseLong(metadata.getOrDefault("seed", "42"));
        } catch (NumberFormatException e) {
            return 42;
        }
    }

    /** Rows: actual class; columns: predicted class. */
    static void printConfusion(PrintWriter out, int[][] confusion, List<String> names) {
        out.println("confusion matrix (rows: actual, columns: predicted)");
        StringBuilder header = new StringBuilder(String.format("%6s", ""));
        for (int c = 0; c < confusion.length; c++) header.append(String.format("%6d", c));
        out.println(header);
        for (int actual = 0; actual < confusion.length; actual++) {
            StringBuilder row = new StringBuilder(String.format("%6d", actual));
            for (int predicted = 0; predicted < confusion.length; predicted++) row.append(String.format("%6d", confusion[actual][predicted]));
            out.println(row + "   " + names.get(actual));
        }
    }
}
