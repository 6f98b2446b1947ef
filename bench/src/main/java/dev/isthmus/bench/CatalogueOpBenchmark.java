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
 * uploads and downloads included: a new op is benchmarked by its catalogue entry. The {@code op}
 * list must equal {@link OpCatalogue#ids()} (JMH needs it as a constant; a test checks it).
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CatalogueOpBenchmark extends OpBenchmark {

    @Param({"reference", "cuda"})
    public String backend;

    @Param({"conv2d", "maxpool2d", "avgpool2d", "global-avgpool2d", "batchnorm2d", "relu", "multiply", "linear", "cross-entropy", "adam"})
    public String op;

    private Backend engine;
    private OpCase example;

    @Setup(Level.Trial)
    public void open() {
        engine = BenchBackends.open(backend);
        example = OpCatalogue.byId(op).example();
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
