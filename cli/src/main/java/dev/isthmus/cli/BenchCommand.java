package dev.isthmus.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.isthmus.IsthmusException;
import dev.isthmus.backend.Backend;
import dev.isthmus.backend.cuda.CudaBackend;
import dev.isthmus.backend.cpu.DnnlLibrary;
import dev.isthmus.backend.cuda.CudaEnvironment;
import dev.isthmus.data.SyntheticBatches;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Models;
import dev.isthmus.tensor.Shape;
import dev.isthmus.train.Batch;
import dev.isthmus.train.Sgd;
import dev.isthmus.train.SgdSettings;
import dev.isthmus.train.GraphedSteps;
import dev.isthmus.train.TrainingStep;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code isthmus bench}: training throughput of one model on each chosen backend, from a short run
 * on synthetic data (no download). Each step is the same as in {@code isthmus train} (forward, loss,
 * backward, SGD with the lesson's settings) and is timed until its work has finished on the device.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure training throughput: images/s and milliseconds per step (mean, p50, p90) of a short"
                + " training run on synthetic data (no download). Warm-up steps run first and are not counted;"
                + " every step is timed until its work has finished, on the GPU too.",
                "For per-op timings (conv, pooling, linear, FFM call overhead) see native-scripts/bench.sh (JMH)."})
public final class BenchCommand implements Callable<Integer> {
    /** Distinct synthetic batches, cycled: enough that steps do not see the very same data every time. */
    private static final int DISTINCT_BATCHES = 4;

    enum BackendChoice { auto, reference, cpu, cuda, all }

    @Option(names = "--model", defaultValue = "cnn", completionCandidates = ModelIds.class,
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--backend", defaultValue = "auto",
            description = "auto (CUDA, else cpu, else reference), reference, cpu, cuda, or all (every usable backend, compared)"
                    + " (default: ${DEFAULT-VALUE}).")
    BackendChoice backend = BackendChoice.auto;

    @Option(names = "--batch-size", defaultValue = "64", description = "Images per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--steps", defaultValue = "20", description = "Measured steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--warmup", defaultValue = "3",
            description = "Steps run before measuring, not counted: JIT compilation, cuDNN algorithm choice, memory pools"
                    + " (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--seed", defaultValue = "42", description = "Seed for the weights and the synthetic data (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--cuda-graphs", paramLabel = "on|off",
            description = "CUDA only: measure throughput as train runs it, without waiting after each step (losses read every "
                    + GraphedSteps.DEFAULT_READ_EVERY + " steps), with each step captured as a CUDA graph (on) or queued op by op"
                    + " (off); the time covers all measured steps up to the device finishing them, so p50 and p90 equal the mean."
                    + " Without this option every step is waited for and timed on its own.")
    String cudaGraphs;

    @Option(names = "--json", description = "Print the results as JSON instead of a table.")
    boolean json;

    @Option(names = "--chart", paramLabel = "FILE.png", description = "Also write a bar chart comparing the backends.")
    Path chart;

    @Mixin
    CudaSettings cuda = new CudaSettings();

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** Timings of one backend; times in milliseconds. */
    record Result(String backend, double imagesPerSecond, double msPerStepMean, double msPerStepP50, double msPerStepP90,
                  float lastLoss, double[] stepMs) {
    }

    /** A backend left out of {@code --backend all}, and why. */
    record Skipped(String backend, String reason) {
    }

    /** Everything one run measured, as printed by {@code --json}. */
    record Report(String model, int batchSize, int steps, int warmup, long seed, String data, List<Result> results,
                  List<Skipped> skipped) {
    }

    @Override
    public Integer call() {
        validate();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Models architecture = Models.byId(model);
        List<Skipped> skipped = new ArrayList<>();
        List<String> backends = backendsToRun(err, skipped);
        List<Batch> batches = syntheticBatches(Models.MNIST_SAMPLE);

        List<Result> results = new ArrayList<>();
        for (String name : backends) {
            try (Backend engine = open(name)) {
                if (!json) err.println("bench: " + name + ": " + warmup + " warm-up + " + steps + " measured steps...");
                results.add(measure(engine, architecture, batches));
            }
        }
        Report report = new Report(architecture.id(), batchSize, steps, warmup, seed,
                "synthetic: standard-normal images " + batches.getFirst().shape() + ", uniform labels 0-9", results, skipped);
        if (json) {
            printJson(report, out);
        } else {
            printTable(report, out);
        }
        if (chart != null) {
            if (OptionalChart.write(chart, png -> BenchChart.write(png, report), err) && !json) out.println("wrote " + chart);
        }
        out.flush();
        return 0;
    }

    private void validate() {
        if (batchSize <= 0) throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
        if (steps <= 0) throw new IllegalArgumentException("--steps must be at least 1, got " + steps);
        if (warmup < 0) throw new IllegalArgumentException("--warmup must be 0 or more, got " + warmup);
        if (cudaGraphs != null && !cudaGraphs.equals("on") && !cudaGraphs.equals("off")) {
            throw new IllegalArgumentException("--cuda-graphs must be on or off, got '" + cudaGraphs + "'");
        }
        cuda.options(); // reject bad CUDA flags up front
        Models.byId(model);
    }

    /** The backends to measure, in order; for auto and all says on {@code err} what was picked or left out. */
    private List<String> backendsToRun(PrintWriter err, List<Skipped> skipped) {
        return switch (backend) {
            case reference, cpu, cuda -> List.of(backend.name());
            case auto -> {
                AutoBackend pick = AutoBackend.choose();
                err.println(pick.line());
                yield List.of(pick.backend());
            }
            case all -> {
                List<String> names = new ArrayList<>(List.of("reference"));
                DnnlLibrary.Status dnnl = DnnlLibrary.load();
                if (dnnl.usable()) {
                    names.add("cpu");
                } else {
                    skip("cpu", "not usable here: " + dnnl.unusableReason().orElseThrow(), err, skipped);
                }
                CudaEnvironment environment = CudaEnvironment.probe();
                if (environment.usable()) {
                    names.add("cuda");
                } else {
                    skip("cuda", "not usable here: " + environment.unusableReason().orElse("unknown"), err, skipped);
                }
                yield names;
            }
        };
    }

    private static void skip(String backend, String reason, PrintWriter err, List<Skipped> skipped) {
        err.println("bench: " + backend + " skipped: " + reason);
        skipped.add(new Skipped(backend, reason));
    }

    private Backend open(String name) {
        return cuda.open(name);
    }

    /** Warm-up steps, then {@code steps} timed steps, each waited for until its device work has finished. */
    private Result measure(Backend engine, Models architecture, List<Batch> batches) {
        if (cudaGraphs != null && GraphedSteps.supported(engine)) {
            return measureWithoutSync(engine, architecture, batches);
        }
        try (Model net = architecture.create(engine, seed);
             Sgd optimizer = new Sgd(SgdSettings.lesson())) {
            long step = 0;
            for (int i = 0; i < warmup; i++, step++) {
                TrainingStep.run(net, optimizer, batches.get((int) (step % batches.size())), step);
            }
            synchronize(engine);
            double[] stepMs = new double[steps];
            float loss = Float.NaN;
            for (int i = 0; i < steps; i++, step++) {
                long start = System.nanoTime();
                loss = TrainingStep.run(net, optimizer, batches.get((int) (step % batches.size())), step);
                synchronize(engine);
                stepMs[i] = (System.nanoTime() - start) / 1e6;
            }
            double mean = Arrays.stream(stepMs).average().orElseThrow();
            return new Result(engine.name(), batchSize * 1000.0 / mean, mean, percentile(stepMs, 50), percentile(stepMs, 90), loss, stepMs);
        }
    }

    /**
     * Throughput as {@code train} gets it on CUDA: steps queued without waiting (graphs on or off), timed
     * from the first measured step until the device has finished the last one.
     */
    private Result measureWithoutSync(Backend engine, Models architecture, List<Batch> batches) {
        boolean capture = cudaGraphs.equals("on");
        try (Model net = architecture.create(engine, seed);
             Sgd optimizer = new Sgd(SgdSettings.lesson());
             GraphedSteps graphed = new GraphedSteps(net, optimizer, 10, capture, GraphedSteps.DEFAULT_READ_EVERY)) {
            int step = 0;
            for (int i = 0; i < warmup; i++, step++) graphed.step(batches.get(step % batches.size()));
            graphed.read();
            if (capture && graphed.fallbackReason() != null) {
                throw new IsthmusException(IsthmusException.EXIT_FAILURE, "bench: " + graphed.fallbackReason());
            }
            long start = System.nanoTime();
            for (int i = 0; i < steps; i++, step++) graphed.step(batches.get(step % batches.size()));
            float[] losses = graphed.read(); // waits for the device
            double mean = (System.nanoTime() - start) / 1e6 / steps;
            double[] stepMs = new double[steps];
            Arrays.fill(stepMs, mean);
            float loss = losses.length > 0 ? losses[losses.length - 1] : Float.NaN;
            return new Result(engine.name() + (capture ? "+graphs" : "+nosync"), batchSize * 1000.0 / mean, mean, mean, mean, loss, stepMs);
        }
    }

    /** The loss read waits for the forward pass; the SGD update queued after it is waited for here. */
    private static void synchronize(Backend engine) {
        if (engine instanceof CudaBackend cuda) {
            cuda.synchronize();
        }
    }

    /** Nearest-rank percentile: the smallest value with at least p% of the values at or below it. */
    static double percentile(double[] values, double p) {
        if (values.length == 0) throw new IllegalArgumentException("percentile of no values");
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.clamp(rank - 1, 0, sorted.length - 1)];
    }

    /** Standard-normal images (like normalised MNIST) and uniform labels, from the seed; shared by all backends. */
    private List<Batch> syntheticBatches(Shape sample) {
        List<Batch> batches = new ArrayList<>();
        new SyntheticBatches(seed, Math.min(DISTINCT_BATCHES, warmup + steps), batchSize, sample, 10).forEach(batches::add);
        return batches;
    }

    private static void printTable(Report report, PrintWriter out) {
        out.printf(Locale.ROOT, "training throughput: model %s, batch %d, %d steps after %d warm-up steps, synthetic data (seed %d)%n",
                report.model(), report.batchSize(), report.steps(), report.warmup(), report.seed());
        out.printf(Locale.ROOT, "%-10s %12s %14s %10s %10s%n", "backend", "images/s", "ms/step mean", "p50", "p90");
        for (Result result : report.results()) {
            out.printf(Locale.ROOT, "%-10s %12.1f %14.2f %10.2f %10.2f%n", result.backend(), result.imagesPerSecond(),
                    result.msPerStepMean(), result.msPerStepP50(), result.msPerStepP90());
        }
        for (Skipped skip : report.skipped()) {
            out.printf(Locale.ROOT, "%-10s skipped: %s%n", skip.backend(), skip.reason());
        }
        if (report.results().size() == 2) {
            Result first = report.results().get(0);
            Result second = report.results().get(1);
            out.printf(Locale.ROOT, "%s / %s: %.2fx the images/s%n", second.backend(), first.backend(),
                    second.imagesPerSecond() / first.imagesPerSecond());
        }
    }

    private static void printJson(Report report, PrintWriter out) {
        try {
            out.println(JsonMapper.builder().build().writerWithDefaultPrettyPrinter().writeValueAsString(report));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
