package dev.isthmus.cli;

import dev.isthmus.IsthmusException;
import dev.isthmus.backend.Backend;
import dev.isthmus.compare.ComparisonJson;
import dev.isthmus.compare.ComparisonReport;
import dev.isthmus.compare.Mismatch;
import dev.isthmus.compare.ModelComparison;
import dev.isthmus.compare.Numbers;
import dev.isthmus.compare.OpCase;
import dev.isthmus.compare.OpCatalogue;
import dev.isthmus.compare.OpComparison;
import dev.isthmus.data.SyntheticBatches;
import dev.isthmus.compare.Tolerances;
import dev.isthmus.data.Batches;
import dev.isthmus.data.Dataset;
import dev.isthmus.nn.Models;
import dev.isthmus.train.Batch;
import dev.isthmus.train.SgdSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * {@code isthmus compare}: runs two backends side by side and checks, step by step and layer by
 * layer, that they compute the same thing (llm.c's habit of a plain CPU reference next to the
 * CUDA code). Exit code 4 when they disagree beyond tolerance.
 */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Cross-check two backends step by step. Both start from the same weights and",
                "see the same batches; each step compares every layer's output and input",
                "gradient, every parameter gradient (before the update) and parameter (after",
                "it), and the loss. With --op: one op's forward and backward outputs.",
                "Values agree when |a-b| <= (atol*rms(a) + rtol*|a|) * sqrt(terms), rms(a)",
                "being the tensor's root mean square and terms the float32 terms summed on the",
                "way to it (defaults: see --tolerance). reference vs reference must be exact.",
                "Exit code 4 at a disagreement, naming the first step, tensor and index."})
public final class CompareCommand implements Callable<Integer> {

    @Option(names = "--a", defaultValue = "reference", paramLabel = "BACKEND",
            description = "Backend A, the reference side of the rule: reference, cpu or cuda (default: ${DEFAULT-VALUE}).")
    String backendA;

    @Option(names = "--b", defaultValue = "cuda", paramLabel = "BACKEND",
            description = "Backend B, the one checked: reference, cpu or cuda (default: ${DEFAULT-VALUE}).")
    String backendB;

    @Option(names = "--model", completionCandidates = ModelIds.class, description = "${COMPLETION-CANDIDATES} (default: cnn; not with --op).")
    String model;

    @Option(names = "--steps", defaultValue = "5", description = "Training steps to compare (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--batch-size", defaultValue = "64", description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--seed", defaultValue = "42",
            description = "Seed for the initial weights, the shuffling and synthetic or single-op inputs (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--lr", defaultValue = "0.01", description = "SGD learning rate (default: ${DEFAULT-VALUE}).")
    float learningRate;

    @Option(names = "--momentum", defaultValue = "0.5", description = "SGD momentum (default: ${DEFAULT-VALUE}).")
    float momentum;

    @Option(names = "--synthetic", description = "Random images and labels from the seed instead of the data set (no download).")
    boolean synthetic;

    @Mixin
    DataOptions data;

    @Option(names = "--fail-fast", description = "Stop after the first step that disagrees.")
    boolean failFast;

    @Option(names = "--op", paramLabel = "OP",
            completionCandidates = OpIds.class, description = "Single-op mode: ${COMPLETION-CANDIDATES}.")
    String op;

    @Option(names = "--shape", paramLabel = "N,C,H,W",
            description = "--op input shape (linear: N,IN or N,C,H,W flattened; cross-entropy: N,CLASSES).")
    String shape;

    @Option(names = "--kernel", paramLabel = "K,C,R,S",
            description = "--op conv2d: weight shape K,C,R,S; pools: window R or R,S.")
    String kernel;

    @Option(names = "--features", paramLabel = "OUT", description = "--op linear: output features.")
    Integer features;

    @Option(names = "--stride", description = "--op conv2d and pools: stride (default: 1 for conv2d, the window for pools).")
    Integer stride;

    @Option(names = "--padding", defaultValue = "0", description = "--op conv2d and pools: padding (default: ${DEFAULT-VALUE}).")
    int padding;

    @Option(names = "--dilation", defaultValue = "1", description = "--op conv2d: dilation (default: ${DEFAULT-VALUE}).")
    int dilation;

    @Mixin
    ToleranceOptions tolerance = new ToleranceOptions();

    @Option(names = "--json", description = "Print the report as JSON (same facts as the table) instead of the table.")
    boolean json;

    @Option(names = "--chart", paramLabel = "FILE.png", description = "Also write a chart of the error per step and layer (log scale).")
    Path chart;

    @Mixin
    CudaSettings cuda = new CudaSettings();

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private final Function<String, Backend> backends;

    public CompareCommand() {
        this.backends = null;
    }

    /** For tests: backends come from {@code backends} (by the names given to --a and --b) instead of being opened. */
    CompareCommand(Function<String, Backend> backends) {
        this.backends = backends;
    }

    @Override
    public Integer call() {
        validate();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Tolerances tolerances = tolerance.tolerances(backendA, backendB);
        OpCase opCase = op == null ? null : opCase();
        Models architecture = op == null ? Models.byId(model == null ? "cnn" : model) : null;
        Iterable<Batch> batches = op == null ? batches(err) : null;

        ComparisonReport report;
        try (Backend a = open(backendA); Backend b = open(backendB)) {
            if (opCase != null) {
                report = OpComparison.run(a, b, opCase, seed, tolerances);
                if (!json) CompareTable.printOpTable(report, out);
            } else {
                try (ModelComparison comparison = new ModelComparison(a, b, architecture, seed,
                        new SgdSettings(learningRate, momentum, 0f), tolerances)) {
                    Map<String, Object> setup = new LinkedHashMap<>();
                    setup.put("batchSize", batchSize);
                    setup.put("steps", steps);
                    setup.put("seed", seed);
                    setup.put("learningRate", learningRate);
                    setup.put("momentum", momentum);
                    setup.put("data", synthetic ? "synthetic" : data.dataset.id());
                    if (!json) CompareTable.printModelHeader(String.format(Locale.ROOT,
                            "compare %s (%,d parameters): a = %s, b = %s; %d steps of batch %d on %s (seed %d), SGD lr %s momentum %s",
                            architecture.id(), comparison.modelA().parameterCount(), a.name(), b.name(), steps, batchSize,
                            synthetic ? "synthetic data" : data.dataset.displayName(), seed, learningRate, momentum), tolerances, out);
                    report = comparison.run(batches, steps, failFast, setup, step -> {
                        if (!json) {
                            CompareTable.printStepRow(step, out);
                            out.flush();
                        }
                    });
                }
                if (!json) CompareTable.printLayerSummary(report, out);
            }
        }
        if (json) out.println(ComparisonJson.write(report));
        if (chart != null) {
            ComparisonReport charted = report;
            if (OptionalChart.write(chart, png -> CompareChart.write(png, charted), err) && !json) out.println("wrote " + chart);
        }
        out.flush();
        return conclude(report, out, err);
    }

    /** Prints the verdict; a disagreement goes to stderr with its context and gives exit code 4. */
    private int conclude(ComparisonReport report, PrintWriter out, PrintWriter err) {
        if (report.steps().isEmpty()) {
            throw new IllegalArgumentException("no step was compared: the data set has no training batch; use --synthetic or another --data folder");
        }
        if (report.passed()) {
            if (!json) {
                String worst = report.worst().map(w -> "; closest: " + w.diff().label() + (report.steps().size() > 1 ? " at step " + w.step() : "")
                        + " used " + Numbers.format(w.diff().worstRatio()) + " of its tolerance").orElse("");
                out.println("result: OK: " + report.backendA() + " and " + report.backendB() + " agree"
                        + (report.tolerances().isExact() ? " exactly" : " within tolerance")
                        + (report.steps().size() > 1 ? " at every one of " + report.steps().size() + " steps" : "") + worst);
                out.flush();
            }
            return 0;
        }
        Mismatch first = report.firstMismatch().orElseThrow();
        if (!json) {
            out.println("result: FAIL at step " + first.step() + ", " + first.diff().label());
            out.flush();
        }
        err.println("isthmus: " + first.describe());
        err.flush();
        return IsthmusException.EXIT_MISMATCH;
    }

    // ---------------------------------------------------------------- settings

    private void validate() {
        if (steps <= 0) throw new IllegalArgumentException("--steps must be at least 1, got " + steps);
        if (batchSize <= 0) throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
        cuda.options(); // reject bad CUDA flags up front, whichever backends run
        if (op != null && model != null) {
            throw new IllegalArgumentException("--op compares one op and --model a whole network; give only one of them");
        }
        if (op == null && (shape != null || kernel != null || features != null)) {
            throw new IllegalArgumentException("--shape, --kernel and --features belong to single-op mode; add --op (" + String.join(", ", OpCatalogue.ids()) + ")");
        }
        if (model != null) Models.byId(model);
        backendName(backendA, "--a");
        backendName(backendB, "--b");
        new SgdSettings(learningRate, momentum, 0f);
    }

    private static void backendName(String name, String option) {
        if (!name.equals("reference") && !name.equals("cpu") && !name.equals("cuda")) {
            throw new IllegalArgumentException(option + " must be reference, cpu or cuda, got '" + name + "'");
        }
    }

    private Backend open(String name) {
        if (backends != null) return backends.apply(name);
        return cuda.open(name);
    }

    // ---------------------------------------------------------------- inputs

    /** Synthetic batches from the seed, or the training split shuffled like {@code train} does, epoch after epoch. */
    private Iterable<Batch> batches(PrintWriter err) {
        if (synthetic) {
            return new SyntheticBatches(seed, steps, batchSize, Models.MNIST_SAMPLE, 10);
        }
        Dataset dataset = data.load(err);
        Batches shuffled = Batches.shuffled(dataset.train(), batchSize, seed);
        return () -> new Iterator<>() {
            private int epoch;
            private Iterator<Batch> current = shuffled.epoch(0).iterator();

            @Override
            public boolean hasNext() {
                return shuffled.batchCount() > 0;
            }

            @Override
            public Batch next() {
                if (!hasNext()) throw new NoSuchElementException("the training split is empty");
                if (!current.hasNext()) current = shuffled.epoch(++epoch).iterator();
                return current.next();
            }
        };
    }

    private OpCase opCase() {
        return OpCatalogue.fromOptions(new OpCatalogue.Options(op, shape == null ? null : ints("--shape", shape),
                kernel == null ? null : ints("--kernel", kernel), features, stride, padding, dilation));
    }

    private static int[] ints(String option, String text) {
        String[] parts = text.split(",");
        int[] values = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                values[i] = Integer.parseInt(parts[i].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " must be comma-separated whole numbers like 8,3,32,32, got '" + text + "'");
            }
            if (values[i] <= 0) throw new IllegalArgumentException(option + " values must be positive, got '" + text + "'");
        }
        return values;
    }
}
