package dev.isthmus.bench;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * JMH profiler ({@code -prof dev.isthmus.bench.CpuTimeProfiler}) reporting the CPU time the benchmark
 * JVM used per op ({@code cpu.time.norm}) and the average number of cores it kept busy
 * ({@code cpu.cores}). On a machine shared with other work, wall-clock time per op grows with the
 * other load while CPU time per op barely does, so CPU time tells what the code costs and
 * {@code cpu.cores} shows how much of the machine it got. The count covers the whole process (JIT
 * and GC threads too; negligible after warm-up). On CUDA, it is the host side, including the
 * spin-wait of a stream synchronisation.
 */
public final class CpuTimeProfiler implements InternalProfiler {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private long cpuStart;
    private long wallStart;

    @Override
    public String getDescription() {
        return "CPU time of the benchmark JVM per op, and the average number of busy cores";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        cpuStart = OS.getProcessCpuTime();
        wallStart = System.nanoTime();
    }

    @Override
    public List<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                                 IterationResult result) {
        long cpu = OS.getProcessCpuTime() - cpuStart;
        long wall = System.nanoTime() - wallStart;
        long ops = result.getMetadata().getAllOps();
        if (cpuStart < 0 || ops <= 0 || wall <= 0) {
            return List.of(); // the platform does not report process CPU time
        }
        TimeUnit unit = benchmarkParams.getTimeUnit();
        double perOp = (double) cpu / ops / unit.toNanos(1);
        return List.of(
                new ScalarResult("cpu.time.norm", perOp, symbol(unit) + "/op", AggregationPolicy.AVG),
                new ScalarResult("cpu.cores", (double) cpu / wall, "cores", AggregationPolicy.AVG));
    }

    static String symbol(TimeUnit unit) {
        return switch (unit) {
            case NANOSECONDS -> "ns";
            case MICROSECONDS -> "us";
            case MILLISECONDS -> "ms";
            case SECONDS -> "s";
            default -> unit.name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
