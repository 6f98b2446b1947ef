package dev.isthmus.cli;

import dev.isthmus.IsthmusException;
import dev.isthmus.backend.Backend;
import dev.isthmus.compare.ComparisonJson;
import dev.isthmus.compare.ComparisonReport;
import dev.isthmus.compare.LayerSummary;
import dev.isthmus.compare.Mismatch;
import dev.isthmus.compare.ModelComparison;
import dev.isthmus.compare.Numbers;
import dev.isthmus.compare.OpCase;
import dev.isthmus.compare.OpCatalogue;
import dev.isthmus.compare.OpComparison;
import dev.isthmus.compare.StepReport;
import dev.isthmus.data.SyntheticBatches;
import dev.isthmus.compare.TensorDiff;
import dev.isthmus.compare.TensorKind;
import dev.isthmus.compare.Tolerances;
import dev.isthmus.data.Batches;
import dev.isthmus.data.Dataset;
import dev.isthmus.nn.Models;
import dev.isthmus.tensor.Shape;
import dev.isthmus.train.Batch;
import dev.isthmus.train.SgdSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
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

    @Option(names = "--exact", description = "Demand bit-identical results (the default when both backends are reference).")
    boolean exact;

    @Option(names = "--tolerance", paramLabel = "KIND=ATOL:RTOL",
            description = {"Base tolerance of one kind (repeatable), e.g. param-grad=1e-5:1e-4; atol is in units of the",
                    "tensor's rms. Kinds and defaults: activation, activation-grad, param-grad and loss 1e-5:3e-5;",
                    "param (after the update) 1e-6:3e-6."})
    List<String> toleranceSettings = new ArrayList<>();

    @Option(names = "--atol-activation", paramLabel = "X", description = "Base atol of layer outputs.")
    Double atolActivation;
    @Option(names = "--rtol-activation", paramLabel = "X", description = "Base rtol of layer outputs.")
    Double rtolActivation;
    @Option(names = "--atol-activation-grad", paramLabel = "X", description = "Base atol of activation gradients.")
    Double atolActivationGrad;
    @Option(names = "--rtol-activation-grad", paramLabel = "X", description = "Base rtol of activation gradients.")
    Double rtolActivationGrad;
    @Option(names = "--atol-param-grad", paramLabel = "X", description = "Base atol of parameter gradients.")
    Double atolParamGrad;
    @Option(names = "--rtol-param-grad", paramLabel = "X", description = "Base rtol of parameter gradients.")
    Double rtolParamGrad;
    @Option(names = "--atol-param", paramLabel = "X", description = "Base atol of parameters after the update.")
    Double atolParam;
    @Option(names = "--rtol-param", paramLabel = "X", description = "Base rtol of parameters after the update.")
    Double rtolParam;
    @Option(names = "--atol-loss", paramLabel = "X", description = "Base atol of the loss.")
    Double atolLoss;
    @Option(names = "--rtol-loss", paramLabel = "X", description = "Base rtol of the loss.")
    Double rtolLoss;

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
        Tolerances tolerances = tolerances();
        OpCase opCase = op == null ? null : opCase();
        Models architecture = op == null ? Models.byId(model == null ? "cnn" : model) : null;
        Iterable<Batch> batches = op == null ? batches(err) : null;

        ComparisonReport report;
        try (Backend a = open(backendA); Backend b = open(backendB)) {
            if (opCase != null) {
                report = OpComparison.run(a, b, opCase, seed, tolerances);
                if (!json) printOpTable(report, out);
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
                    if (!json) printModelHeader(comparison, architecture, a, b, tolerances, out);
                    report = comparison.run(batches, steps, failFast, setup, step -> {
                        if (!json) {
                            printStepRow(step, out);
                            out.flush();
                        }
                    });
                }
                if (!json) printLayerSummary(report, out);
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

    /** Defaults (exact for reference vs reference), then --tolerance settings, then the single-value options. */
    Tolerances tolerances() {
        boolean anySetting = !toleranceSettings.isEmpty() || atolActivation != null || rtolActivation != null || atolActivationGrad != null
                || rtolActivationGrad != null || atolParamGrad != null || rtolParamGrad != null || atolParam != null || rtolParam != null
                || atolLoss != null || rtolLoss != null;
        if (exact && anySetting) {
            throw new IllegalArgumentException("--exact demands bit-identical results; drop it or the tolerance options");
        }
        if (exact || (!anySetting && backendA.equals("reference") && backendB.equals("reference"))) {
            return Tolerances.exact();
        }
        Tolerances tolerances = Tolerances.defaults();
        for (String setting : toleranceSettings) tolerances = tolerances.with(setting);
        tolerances = set(tolerances, TensorKind.ACTIVATION, atolActivation, rtolActivation);
        tolerances = set(tolerances, TensorKind.ACTIVATION_GRAD, atolActivationGrad, rtolActivationGrad);
        tolerances = set(tolerances, TensorKind.PARAM_GRAD, atolParamGrad, rtolParamGrad);
        tolerances = set(tolerances, TensorKind.PARAM, atolParam, rtolParam);
        return set(tolerances, TensorKind.LOSS, atolLoss, rtolLoss);
    }

    private static Tolerances set(Tolerances tolerances, TensorKind kind, Double atol, Double rtol) {
        Tolerances result = tolerances;
        if (atol != null) result = result.withAtol(kind, atol);
        if (rtol != null) result = result.withRtol(kind, rtol);
        return result;
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

    // ---------------------------------------------------------------- table

    private static final String ROW = "%5s  %14s  %14s  %-40s %9s %9s %9s  %s%n";
    private static final String SUMMARY_ROW = "%-40s %-16s %9s %9s %9s %5s  %s%n";

    private void printModelHeader(ModelComparison comparison, Models architecture, Backend a, Backend b, Tolerances tolerances, PrintWriter out) {
        out.printf(Locale.ROOT, "compare %s (%,d parameters): a = %s, b = %s; %d steps of batch %d on %s (seed %d), SGD lr %s momentum %s%n",
                architecture.id(), comparison.modelA().parameterCount(), a.name(), b.name(), steps, batchSize,
                synthetic ? "synthetic data" : data.dataset.displayName(), seed, learningRate, momentum);
        printTolerances(tolerances, out);
        out.printf(Locale.ROOT, ROW, "step", "loss a", "loss b", "worst tensor", "max abs", "max rel", "tol used", "result");
    }

    private static void printTolerances(Tolerances tolerances, PrintWriter out) {
        if (tolerances.isExact()) {
            out.println("tolerance: exact (bit-identical values required)");
        } else {
            out.println("tolerance: |a-b| <= (atol*rms(a) + rtol*|a|) * sqrt(terms); base atol:rtol " + tolerances);
        }
    }

    private static void printStepRow(StepReport step, PrintWriter out) {
        TensorDiff worst = step.worst().orElse(null); // none when every value is equal
        out.printf(Locale.ROOT, ROW, step.step(), loss(step.lossA()), loss(step.lossB()),
                worst == null ? "(all equal)" : worst.label(), worst == null ? "0" : Numbers.format(worst.maxAbs()),
                worst == null ? "0" : Numbers.format(worst.maxRel()), worst == null ? "0" : Numbers.format(worst.worstRatio()),
                step.passed() ? "OK" : "FAIL " + step.firstFailure().map(TensorDiff::label).orElse(""));
    }

    private static String loss(float value) {
        return Float.isNaN(value) ? "NaN" : String.format(Locale.ROOT, "%.8f", value);
    }

    private static void printLayerSummary(ComparisonReport report, PrintWriter out) {
        out.println();
        out.println("per tensor, worst over " + report.steps().size() + " step" + (report.steps().size() == 1 ? "" : "s") + ":");
        out.printf(Locale.ROOT, SUMMARY_ROW, "tensor", "kind", "max abs", "max rel", "tol used", "step", "result");
        for (LayerSummary summary : report.layerSummary()) {
            out.printf(Locale.ROOT, SUMMARY_ROW, summary.tensor(), summary.kind().id(), Numbers.format(summary.maxAbs()),
                    Numbers.format(summary.maxRel()), Numbers.format(summary.worstRatio()), summary.worstStep(), summary.passed() ? "OK" : "FAIL");
        }
        report.notes().forEach(note -> out.println("note: " + note));
    }

    private void printOpTable(ComparisonReport report, PrintWriter out) {
        StringBuilder setup = new StringBuilder();
        report.setup().forEach((key, value) -> {
            if (!key.equals("op")) setup.append(setup.isEmpty() ? "" : ", ").append(key).append(' ').append(value);
        });
        out.printf(Locale.ROOT, "compare %s: a = %s, b = %s; %s%n", report.subject(), report.backendA(), report.backendB(), setup);
        printTolerances(report.tolerances(), out);
        String row = "%-12s %-16s %8s %9s %9s %9s  %-16s %-14s %-14s %s%n";
        out.printf(Locale.ROOT, row, "tensor", "kind", "terms", "max abs", "max rel", "tol used", "worst at", "a", "b", "result");
        for (TensorDiff diff : report.steps().getFirst().tensors()) {
            boolean equal = diff.maxAbs() == 0 && diff.passed(); // no element worse than another
            out.printf(Locale.ROOT, row, diff.tensor(), diff.kind().id(), diff.terms(), Numbers.format(diff.maxAbs()),
                    Numbers.format(diff.maxRel()), Numbers.format(diff.worstRatio()), equal ? "-" : diff.index(diff.worstIndex()),
                    equal ? "-" : Numbers.value(diff.worstA()), equal ? "-" : Numbers.value(diff.worstB()), diff.passed() ? "OK" : "FAIL");
        }
    }
}
