package dev.isthmus.bench;

import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Models;
import dev.isthmus.nn.Parameter;
import dev.isthmus.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The benchmarks' shapes are the models' real shapes, and every benchmarked workload has a cost. */
class WorkloadsTest {
    private static final List<Class<?>> BENCHMARKS = List.of(ConvBenchmark.class, PoolBenchmark.class, LinearBenchmark.class,
            BlockBenchmark.class, TrainingStepBenchmark.class, OpLatencyBenchmark.class, NativeCallBenchmark.class,
            CudaRuntimeCallBenchmark.class, BookkeepingBenchmark.class);

    @Test
    void modelLayerListsMatchTheModelsWeights() {
        try (ReferenceBackend backend = new ReferenceBackend()) {
            for (Models architecture : Models.values()) {
                try (Model model = architecture.create(backend)) {
                    Workloads.Layers layers = Workloads.model(architecture.id());
                    List<Shape> convWeights = new ArrayList<>();
                    List<Shape> linearWeights = new ArrayList<>();
                    for (Map.Entry<String, Parameter> entry : model.stateDict().entrySet()) {
                        // Rank 1 weights are BatchNorm scales, not benchmarked workloads.
                        if (!entry.getKey().endsWith(".weight") || entry.getValue().shape().rank() == 1) continue;
                        (entry.getValue().shape().rank() == 4 ? convWeights : linearWeights).add(entry.getValue().shape());
                    }
                    assertEquals(convWeights, layers.convs().stream().map(ConvShape::weight).toList(), architecture.id());
                    assertEquals(linearWeights, layers.linears().stream().map(LinearShape::weight).toList(), architecture.id());
                }
            }
        }
    }

    @Test
    void namedLayerWorkloadsHaveTheirModelLayersWeightShape() {
        try (ReferenceBackend backend = new ReferenceBackend()) {
            int checked = 0;
            for (String name : Workloads.layerNames()) {
                int dot = name.indexOf('.');
                String modelId = name.substring(0, dot);
                if (modelId.equals("large")) continue;
                try (Model model = Models.byId(modelId).create(backend)) {
                    Parameter weight = model.stateDict().get(name.substring(dot + 1) + ".weight");
                    if (name.contains("pool")) {
                        assertEquals(null, weight, name);
                        continue;
                    }
                    Shape expected = name.contains("fc") ? Workloads.linear(name + "/b1").weight() : Workloads.conv(name + "/b1").weight();
                    assertEquals(expected, weight.shape(), name);
                    checked++;
                }
            }
            assertTrue(checked >= 10, "checked " + checked + " layers");
        }
    }

    @Test
    void everyBenchmarkedWorkloadResolvesToACost() throws NoSuchFieldException {
        int withFlops = 0;
        for (Class<?> benchmark : BENCHMARKS) {
            List<String> workloads = workloads(benchmark);
            for (Method method : benchmark.getMethods()) {
                if (!method.isAnnotationPresent(Benchmark.class)) continue;
                for (String workload : workloads) {
                    OpCost cost = BenchReport.cost(benchmark.getSimpleName(), method.getName(), workload);
                    if (cost.flops() > 0) withFlops++;
                    if (benchmark == ConvBenchmark.class || benchmark == LinearBenchmark.class
                            || benchmark == BlockBenchmark.class || benchmark == TrainingStepBenchmark.class) {
                        assertTrue(cost.flops() > 0, benchmark.getSimpleName() + "." + method.getName() + " " + workload);
                    }
                    if (benchmark == PoolBenchmark.class) {
                        assertTrue(cost.bytes() > 0, method.getName() + " " + workload);
                    }
                }
            }
        }
        assertTrue(withFlops > 40, "only " + withFlops + " benchmarks have a FLOP count");
    }

    @Test
    void backendParametersListEveryBackend() throws NoSuchFieldException {
        for (Class<?> benchmark : List.of(ConvBenchmark.class, PoolBenchmark.class, LinearBenchmark.class,
                BlockBenchmark.class, TrainingStepBenchmark.class, OpLatencyBenchmark.class)) {
            Field backend = benchmark.getField("backend");
            assertEquals(BenchBackends.ALL, List.of(backend.getAnnotation(Param.class).value()), benchmark.getSimpleName());
        }
    }

    /** The benchmark's workload {@code @Param} values, or one empty name when it has none. */
    private static List<String> workloads(Class<?> benchmark) {
        try {
            Field field = benchmark.getField("workload");
            List<String> values = List.of(field.getAnnotation(Param.class).value());
            assertFalse(values.isEmpty(), benchmark.getSimpleName());
            return values;
        } catch (NoSuchFieldException e) {
            return List.of("");
        }
    }
}
