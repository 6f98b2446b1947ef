package dev.isthmus.cli;

import dev.isthmus.backend.Backend;
import dev.isthmus.checkpoint.SafeTensors;
import dev.isthmus.data.Batches;
import dev.isthmus.data.Dataset;
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
import java.util.concurrent.Callable;

/** {@code isthmus eval}: test accuracy and confusion matrix of a checkpoint. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Evaluate a checkpoint on the test set: accuracy and confusion matrix.")
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
    BackendOptions backendOptions;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (batchSize <= 0) throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String modelId = model != null ? model : SafeTensors.read(checkpoint).metadata().getOrDefault("model", "cnn");
        Models architecture = Models.byId(modelId);
        try (Backend backend = backendOptions.open(err); Model net = architecture.create(backend)) {
            Dataset dataset = data.load(err); // after the backend, as in train: a CUDA problem is told first
            TrainCommand.requireImageSize(dataset, net);
            ModelCheckpoint.loadWeights(checkpoint, net);
            Evaluation result = Evaluation.run(net, Batches.inOrder(dataset.test(), batchSize).epoch(0), dataset.classes());
            out.printf(Locale.ROOT, "%s on %s test set (%d images, backend %s): accuracy %.2f%% (%d correct)%n",
                    checkpoint, dataset.kind().displayName(), result.samples(), backend.name(), 100 * result.accuracy(), result.correct());
            printConfusion(out, result.confusion(), dataset.kind().classNames());
        }
        return 0;
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
