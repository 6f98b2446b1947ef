package dev.isthmus.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * Reads JMH's JSON results and adds what JMH cannot know: the work each op does ({@link OpCost},
 * from the benchmark's {@code cost(method, workload)}) and so GFLOP/s or GB/s, next to the bytes
 * allocated per op when the run used {@code -prof gc}. Writes them back into the JSON (an
 * {@code "isthmus"} object per result) and as a Markdown table.
 * <p>
 * Usage: {@code java -cp benchmarks.jar dev.isthmus.bench.BenchReport results.json} prints the table;
 * add {@code --write} to also update the JSON and write {@code results.md}.
 */
public final class BenchReport {
    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    /** One JMH result with its derived rates. */
    public record Row(String benchmark, String method, String backend, String workload, double score, double error,
                      double best, String unit, OpCost cost, OptionalDouble allocatedBytesPerOp,
                      OptionalDouble cpuTimePerOp, OptionalDouble busyCores) {

        /** Seconds per op, from JMH's score in its unit (ns/op … s/op). */
        public double secondsPerOp() {
            return score * secondsPer(unit);
        }

        public OptionalDouble gflopsPerSecond() {
            return cost.flops() > 0 && score > 0 ? OptionalDouble.of(cost.flops() / secondsPerOp() / 1e9) : OptionalDouble.empty();
        }

        public OptionalDouble gigabytesPerSecond() {
            return cost.bytes() > 0 && score > 0 ? OptionalDouble.of(cost.bytes() / secondsPerOp() / 1e9) : OptionalDouble.empty();
        }

        /**
         * GFLOP per second of CPU time: what one busy core achieves, whatever else shared the machine.
         * On an otherwise idle machine the wall-clock GFLOP/s is this times the cores the op keeps busy.
         */
        public OptionalDouble gflopsPerCpuSecond() {
            return cost.flops() > 0 && cpuTimePerOp.isPresent() && cpuTimePerOp.getAsDouble() > 0
                    ? OptionalDouble.of(cost.flops() / (cpuTimePerOp.getAsDouble() * secondsPer(unit)) / 1e9) : OptionalDouble.empty();
        }

        /** GFLOP/s of the fastest measured iteration: on a shared machine the closest to what the code can do. */
        public OptionalDouble bestGflopsPerSecond() {
            return cost.flops() > 0 && best > 0 ? OptionalDouble.of(cost.flops() / (best * secondsPer(unit)) / 1e9) : OptionalDouble.empty();
        }
    }

    private final ArrayNode results;
    private final List<Row> rows;

    private BenchReport(ArrayNode results) {
        this.results = results;
        this.rows = new ArrayList<>();
        for (JsonNode result : results) {
            rows.add(row(result));
        }
    }

    public static BenchReport read(Path json) {
        try {
            return parse(Files.readString(json));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read JMH results " + json + ": " + e.getMessage(), e);
        }
    }

    public static BenchReport parse(String json) {
        try {
            JsonNode root = JSON.readTree(json);
            if (!(root instanceof ArrayNode array)) {
                throw new IllegalArgumentException("not JMH JSON results: the top level is not an array");
            }
            return new BenchReport(array);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JMH JSON results: " + e.getMessage(), e);
        }
    }

    public List<Row> rows() {
        return List.copyOf(rows);
    }

    private static Row row(JsonNode result) {
        String benchmark = result.path("benchmark").asText();
        int lastDot = benchmark.lastIndexOf('.');
        String method = benchmark.substring(lastDot + 1);
        String className = benchmark.substring(0, Math.max(0, lastDot));
        String simpleClass = className.substring(className.lastIndexOf('.') + 1);
        JsonNode params = result.path("params");
        String backend = params.path("backend").asText("");
        String workload = params.path("workload").asText("");
        JsonNode primary = result.path("primaryMetric");
        JsonNode secondary = result.path("secondaryMetrics");
        double score = primary.path("score").asDouble();
        return new Row(simpleClass + "." + method, method, backend, workload, score,
                primary.path("scoreError").asDouble(Double.NaN),
                primary.path("scorePercentiles").path("0.0").asDouble(score), primary.path("scoreUnit").asText(),
                cost(simpleClass, method, workload), secondary(secondary, "gc.alloc.rate.norm"),
                secondary(secondary, "cpu.time.norm"), secondary(secondary, "cpu.cores"));
    }

    private static OptionalDouble secondary(JsonNode metrics, String name) {
        JsonNode metric = metrics.path(name);
        return metric.isMissingNode() ? OptionalDouble.empty() : OptionalDouble.of(metric.path("score").asDouble());
    }

    /** What one op of a benchmark does; NONE for benchmarks of other classes or without a cost. */
    static OpCost cost(String benchmarkClass, String method, String workload) {
        return switch (benchmarkClass) {
            case "ConvBenchmark" -> ConvBenchmark.cost(method, workload);
            case "PoolBenchmark" -> PoolBenchmark.cost(method, workload);
            case "LinearBenchmark" -> LinearBenchmark.cost(method, workload);
            case "BlockBenchmark" -> BlockBenchmark.cost(method, workload);
            case "TrainingStepBenchmark" -> TrainingStepBenchmark.cost(method, workload);
            case "OpLatencyBenchmark" -> OpLatencyBenchmark.cost(method, workload);
            default -> OpCost.NONE;
        };
    }

    static double secondsPer(String unit) {
        return switch (unit) {
            case "s/op" -> 1;
            case "ms/op" -> 1e-3;
            case "us/op" -> 1e-6;
            case "ns/op" -> 1e-9;
            default -> throw new IllegalArgumentException("unit '" + unit + "' is not a time per op; run the benchmarks in avgt mode");
        };
    }

    /** The results with an {@code "isthmus"} object per result: flops/bytes per op and the rates. */
    public String json() {
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            ObjectNode derived = ((ObjectNode) results.get(i)).putObject("isthmus");
            derived.put("flopsPerOp", row.cost().flops());
            derived.put("bytesPerOp", row.cost().bytes());
            row.gflopsPerSecond().ifPresent(v -> derived.put("gflopsPerSecond", v));
            row.gigabytesPerSecond().ifPresent(v -> derived.put("gigabytesPerSecond", v));
            row.bestGflopsPerSecond().ifPresent(v -> derived.put("bestIterationGflopsPerSecond", v));
            row.gflopsPerCpuSecond().ifPresent(v -> derived.put("gflopsPerCpuSecond", v));
        }
        try {
            return JSON.writeValueAsString(results) + System.lineSeparator();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void writeJson(Path file) {
        write(file, json());
    }

    public void writeMarkdown(Path file) {
        write(file, markdown());
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * One Markdown table row per result, in run order: the mean time per op with JMH's 99.9% error,
     * the fastest iteration's time (less disturbed by other work on a shared machine), the rates of
     * the mean, GFLOP per CPU-second, the heap bytes allocated per op ({@code -prof gc}), and the CPU
     * time per op and busy cores ({@link CpuTimeProfiler}).
     */
    public String markdown() {
        StringBuilder table = new StringBuilder();
        table.append("| benchmark | backend | workload | time/op | ± (99.9%) | best iteration | GFLOP/s | GFLOP/CPU-s | GB/s"
                + " | alloc B/op | CPU time/op | cores busy |\n");
        table.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row row : rows) {
            table.append("| ").append(row.benchmark())
                    .append(" | ").append(row.backend().isEmpty() ? "-" : row.backend())
                    .append(" | ").append(row.workload().isEmpty() ? "-" : row.workload())
                    .append(" | ").append(number(row.score())).append(' ').append(row.unit().replace("/op", ""))
                    .append(" | ").append(Double.isNaN(row.error()) ? "-" : number(row.error()))
                    .append(" | ").append(number(row.best()))
                    .append(" | ").append(optional(row.gflopsPerSecond()))
                    .append(" | ").append(optional(row.gflopsPerCpuSecond()))
                    .append(" | ").append(optional(row.gigabytesPerSecond()))
                    .append(" | ").append(row.allocatedBytesPerOp().isPresent() ? String.format(Locale.ROOT, "%.0f", row.allocatedBytesPerOp().getAsDouble()) : "-")
                    .append(" | ").append(row.cpuTimePerOp().isPresent() ? number(row.cpuTimePerOp().getAsDouble()) + " " + row.unit().replace("/op", "") : "-")
                    .append(" | ").append(row.busyCores().isPresent() ? String.format(Locale.ROOT, "%.2f", row.busyCores().getAsDouble()) : "-")
                    .append(" |\n");
        }
        return table.toString();
    }

    private static String optional(OptionalDouble value) {
        return value.isPresent() ? number(value.getAsDouble()) : "-";
    }

    /** Three significant digits, enough for numbers whose run-to-run spread is a few percent. */
    static String number(double value) {
        if (value == 0 || Double.isNaN(value) || Double.isInfinite(value)) return String.valueOf(value);
        double magnitude = Math.abs(value);
        if (magnitude >= 100) return String.format(Locale.ROOT, "%.0f", value);
        if (magnitude >= 10) return String.format(Locale.ROOT, "%.1f", value);
        if (magnitude >= 1) return String.format(Locale.ROOT, "%.2f", value);
        return String.format(Locale.ROOT, "%.3g", value);
    }

    public static void main(String[] args) {
        if (args.length == 0 || args.length > 2 || (args.length == 2 && !args[1].equals("--write"))) {
            System.err.println("usage: BenchReport RESULTS.json [--write]   (JMH results written with -rf json -rff RESULTS.json)");
            System.exit(2);
        }
        Path json = Path.of(args[0]);
        BenchReport report = read(json);
        System.out.print(report.markdown());
        if (args.length == 2) {
            report.writeJson(json);
            report.writeMarkdown(Path.of(json.toString().replaceFirst("\\.json$", "") + ".md"));
        }
    }
}
