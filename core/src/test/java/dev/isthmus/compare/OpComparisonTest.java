package dev.isthmus.compare;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.tensor.Shape;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpComparisonTest {

    private static final List<OpCase> CASES = List.of(
            new Conv2dCase(Shape.of(2, 3, 9, 8), Shape.of(4, 3, 3, 3), Conv2dSpec.of(2, 1, 2)),
            new Pool2dCase(true, Shape.of(2, 3, 8, 8), Pool2dSpec.of(2)),
            new Pool2dCase(false, Shape.of(2, 3, 7, 7), Pool2dSpec.of(3, 1, 1)),
            new ReluCase(Shape.of(2, 3, 4, 4)),
            new LinearCase(Shape.of(5, 12), 7),
            new CrossEntropyCase(Shape.of(6, 10)));

    @Test
    void everyOpAgreesExactlyBetweenTwoReferenceBackends() {
        try (Backend a = new ReferenceBackend(); Backend b = new ReferenceBackend()) {
            for (OpCase op : CASES) {
                ComparisonReport report = OpComparison.run(a, b, op, 3, Tolerances.exact());
                assertTrue(report.passed(), op.name());
                assertEquals("op " + op.name(), report.subject());
                report.steps().getFirst().tensors().forEach(diff -> assertEquals(0, diff.maxAbs(), op.name() + " " + diff.tensor()));
            }
            assertEquals(0, a.liveBytes(), "single-op mode frees what it allocates");
        }
    }

    @Test
    void eachOpComparesItsForwardAndEveryBackwardOutput() {
        try (Backend a = new ReferenceBackend(); Backend b = new ReferenceBackend()) {
            assertEquals(List.of("output", "grad_input", "grad_weight", "grad_bias"), outputs(a, b, CASES.get(0)));
            assertEquals(List.of("output", "grad_input"), outputs(a, b, CASES.get(1)));
            assertEquals(List.of("output", "grad_input"), outputs(a, b, CASES.get(3)));
            assertEquals(List.of("output", "grad_input", "grad_weight", "grad_bias"), outputs(a, b, CASES.get(4)));
            ComparisonReport loss = OpComparison.run(a, b, CASES.get(5), 3, Tolerances.exact());
            assertEquals(List.of("loss", "grad_logits"), loss.steps().getFirst().tensors().stream().map(TensorDiff::tensor).toList());
            assertTrue(loss.steps().getFirst().hasLoss());
        }
    }

    @Test
    void aWrongWeightGradientShowsOnlyInGradWeight() {
        Shape weight = Shape.of(4, 3, 3, 3);
        try (Backend a = new ReferenceBackend(); Backend b = new PerturbedBackend(new ReferenceBackend()).flipWeightGradient(weight, 1)) {
            ComparisonReport report = OpComparison.run(a, b, CASES.getFirst(), 3, Tolerances.defaults());
            assertFalse(report.passed());
            assertEquals("grad_weight", report.firstMismatch().orElseThrow().diff().tensor());
            assertEquals(List.of("grad_weight"), report.steps().getFirst().tensors().stream()
                    .filter(diff -> !diff.passed()).map(TensorDiff::tensor).toList());
        }
    }

    @Test
    void badShapesFailWithTheOpsMessage() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new Conv2dCase(Shape.of(1, 3, 8, 8), Shape.of(4, 2, 3, 3), Conv2dSpec.defaults()))
                .getMessage().contains("input has 3 channels"));
        assertThrows(IllegalArgumentException.class, () -> new LinearCase(Shape.of(2, 3, 4), 5));
        assertThrows(IllegalArgumentException.class, () -> new CrossEntropyCase(Shape.of(4)));
    }

    private static List<String> outputs(Backend a, Backend b, OpCase op) {
        return OpComparison.run(a, b, op, 1, Tolerances.exact()).steps().getFirst().tensors().stream().map(TensorDiff::tensor).toList();
    }
}
