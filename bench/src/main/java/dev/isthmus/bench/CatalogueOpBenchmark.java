package dev.isthmus.bench;

import dev.isthmus.backend.Backend;
import dev.isthmus.compare.OpCatalogue;
import dev.isthmus.compare.OpCase;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * Every op of the one catalogue ({@link OpCatalogue}), forward and backward on its example case,
 * uploads and downloads included: a new op is benchmarked by its catalogue entry. {@code op} is the
 * catalogue enum with no listed values, so JMH runs every constant of {@link OpCatalogue} (rows are
 * named by the constant, e.g. {@code GLOBAL_AVGPOOL2D}); {@code -p op=RELU,LINEAR} picks some.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CatalogueOpBenchmark extends OpBenchmark {

    @Param({"reference", "cuda"})
    public String backend;

    /** Every catalogue entry: JMH enumerates an enum parameter given no values (no list to keep in step). */
    @Param
    public OpCatalogue op;

    private Backend engine;
    private OpCase example;

    @Setup(Level.Trial)
    public void open() {
        engine = BenchBackends.open(backend);
        example = op.example();
    }

    @TearDown(Level.Trial)
    public void close() {
        closeAll(engine);
    }

    @Benchmark
    public void forwardAndBackward(Blackhole blackhole) {
        blackhole.consume(example.evaluate(engine, 1));
    }
}
