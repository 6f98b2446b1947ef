package dev.isthmus.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GFLOP/s and GB/s from JMH's JSON: known counts divided by the measured time, in the right units. */
class BenchReportTest {

    private static final String RESULTS = """
            [
              {
                "benchmark" : "dev.isthmus.bench.ConvBenchmark.forward",
                "mode" : "avgt",
                "params" : { "backend" : "reference", "workload" : "cnn.conv1/b64" },
                "primaryMetric" : { "score" : 2.0, "scoreError" : 0.1, "scorePercentiles" : { "0.0" : 1.6 }, "scoreUnit" : "ms/op" },
                "secondaryMetrics" : { "gc.alloc.rate.norm" : { "score" : 1024.0, "scoreUnit" : "B/op" },
                                        "cpu.time.norm" : { "score" : 3.9, "scoreUnit" : "ms/op" },
                                        "cpu.cores" : { "score" : 1.95, "scoreUnit" : "cores" } }
              },
              {
                "benchmark" : "dev.isthmus.bench.PoolBenchmark.maxForward",
                "mode" : "avgt",
                "params" : { "backend" : "reference", "workload" : "cnn.pool1/b64" },
                "primaryMetric" : { "score" : 460.8, "scoreError" : "NaN", "scoreUnit" : "us/op" },
                "secondaryMetrics" : { }
              },
              {
                "benchmark" : "dev.isthmus.bench.NativeCallBenchmark.libcAbs",
                "mode" : "avgt",
                "params" : { },
                "primaryMetric" : { "score" : 12.5, "scoreError" : 0.5, "scoreUnit" : "ns/op" },
                "secondaryMetrics" : { }
              }
            ]
            """;

    @Test
    void dividesEachOpsWorkByItsTime() {
        BenchReport report = BenchReport.parse(RESULTS);
        BenchReport.Row conv = report.rows().get(0);
        assertEquals(18_432_000L, conv.cost().flops());
        assertEquals(2e-3, conv.secondsPerOp(), 1e-12);
        assertEquals(9.216, conv.gflopsPerSecond().orElseThrow(), 1e-9);
        assertEquals(1024.0, conv.allocatedBytesPerOp().orElseThrow());
        assertEquals(18_432_000 / 1.6e-3 / 1e9, conv.bestGflopsPerSecond().orElseThrow(), 1e-9);
        assertEquals(18_432_000 / 3.9e-3 / 1e9, conv.gflopsPerCpuSecond().orElseThrow(), 1e-9, "two busy cores halve it");

        BenchReport.Row pool = report.rows().get(1);
        long bytes = (64L * 10 * 24 * 24 + 64L * 10 * 12 * 12) * 4; // 1,843,200
        assertEquals(bytes, pool.cost().bytes());
        assertEquals(bytes / 460.8e-6 / 1e9, pool.gigabytesPerSecond().orElseThrow(), 1e-9);
        assertTrue(pool.gflopsPerSecond().isEmpty());
        assertTrue(Double.isNaN(pool.error()));
        assertEquals(460.8, pool.best(), "without percentiles the best iteration is the score");

        BenchReport.Row call = report.rows().get(2);
        assertTrue(call.gflopsPerSecond().isEmpty() && call.gigabytesPerSecond().isEmpty());
    }

    @Test
    void writesTheRatesIntoTheJsonAndATable() {
        BenchReport report = BenchReport.parse(RESULTS);
        String json = report.json();
        assertTrue(json.contains("\"gflopsPerSecond\" : 9.216"), json);
        assertTrue(json.contains("\"flopsPerOp\" : 18432000"), json);
        assertEquals(3, BenchReport.parse(json).rows().size(), "the enriched JSON still reads as JMH results");

        String table = report.markdown();
        assertTrue(table.contains("| ConvBenchmark.forward | reference | cnn.conv1/b64 | 2.00 ms | 0.100 | 1.60 | 9.22 | 4.73 | - | 1024 | 3.90 ms | 1.95 |"), table);
        assertTrue(table.contains("| NativeCallBenchmark.libcAbs | - | - | 12.5 ns | 0.500 | 12.5 | - | - | - | - | - | - |"), table);
    }

    @Test
    void rejectsResultsThatAreNotTimesPerOp() {
        assertThrows(IllegalArgumentException.class, () -> BenchReport.secondsPer("ops/s"));
        assertThrows(IllegalArgumentException.class, () -> BenchReport.parse("{}"));
    }
}
