package dev.isthmus.compare;

import dev.isthmus.data.SyntheticBatches;
import dev.isthmus.backend.Backend;
import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.backend.cuda.CudaBackend;
import dev.isthmus.backend.cuda.CudaOptions;
import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.nn.Models;
import dev.isthmus.tensor.Shape;
import dev.isthmus.testing.standin.CudaStandIn;
import dev.isthmus.train.SgdSettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code compare} of the reference backend against the CUDA backend running on the CPU stand-in of
 * the CUDA libraries: the whole comparison path through the real backend class, under the default
 * tolerances. It shows that the comparison works end to end and that our cuDNN/cuBLAS calls give
 * the reference's numbers when the libraries compute what NVIDIA documents; it says nothing about
 * a GPU's rounding (that needs {@code isthmus compare} on a GPU machine).
 */
@Tag("standin")
class StandInComparisonTest {

    @BeforeAll
    static void useStandIn() {
        CudaStandIn.useForCudaBackend();
    }

    @ParameterizedTest
    @EnumSource(Models.class)
    void referenceAndCudaAgreeForAFewStepsOfEachModel(Models model) {
        try (Backend reference = new ReferenceBackend(); Backend cuda = CudaBackend.open(CudaOptions.defaults());
             ModelComparison comparison = new ModelComparison(reference, cuda, model, 11, SgdSettings.lesson(), Tolerances.defaults())) {
            ComparisonReport report = comparison.run(new SyntheticBatches(11, 3, 8, Models.MNIST_SAMPLE, 10), 3, false, Map.of(), s -> { });

            assertEquals("cuda", report.backendB());
            assertEquals(3, report.steps().size());
            assertTrue(report.passed(), () -> report.firstMismatch().orElseThrow().describe());
        }
    }

    @Test
    void everyOpAgreesUnderTheDefaultTolerances() {
        List<OpCase> ops = List.of(
                new Conv2dCase(Shape.of(4, 3, 11, 10), Shape.of(8, 3, 3, 3), Conv2dSpec.of(2, 1, 2)),
                new Conv2dCase(Shape.of(8, 10, 12, 12), Shape.of(20, 10, 5, 5), Conv2dSpec.defaults()),
                new Pool2dCase(true, Shape.of(4, 3, 8, 8), Pool2dSpec.of(2)),
                new Pool2dCase(false, Shape.of(4, 3, 7, 7), Pool2dSpec.of(3, 1, 1)),
                new ReluCase(Shape.of(4, 3, 5, 5)),
                new LinearCase(Shape.of(8, 320), 10),
                new CrossEntropyCase(Shape.of(16, 10)));
        try (Backend reference = new ReferenceBackend(); Backend cuda = CudaBackend.open(CudaOptions.defaults())) {
            for (OpCase op : ops) {
                ComparisonReport report = OpComparison.run(reference, cuda, op, 5, Tolerances.defaults());
                assertTrue(report.passed(), () -> op.name() + ": " + report.firstMismatch().orElseThrow().describe());
            }
        }
    }

    @Test
    void aPerturbedCudaBackendIsCaughtAtTheLayerAndStep() {
        try (Backend reference = new ReferenceBackend();
             Backend cuda = new PerturbedBackend(CudaBackend.open(CudaOptions.defaults())).flipWeightGradient(Shape.of(10, 1, 5, 5), 2);
             ModelComparison comparison = new ModelComparison(reference, cuda, Models.CNN, 11, SgdSettings.lesson(), Tolerances.defaults())) {
            ComparisonReport report = comparison.run(new SyntheticBatches(11, 3, 4, Models.MNIST_SAMPLE, 10), 3, false, Map.of(), s -> { });

            Mismatch mismatch = report.firstMismatch().orElseThrow();
            assertEquals(2, mismatch.step());
            assertEquals("conv1.weight (param-grad)", mismatch.diff().label());
        }
    }
}
