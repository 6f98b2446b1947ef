package dev.isthmus.compare;

import dev.isthmus.data.SyntheticBatches;
import dev.isthmus.backend.Backend;
import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.nn.Models;
import dev.isthmus.tensor.Shape;
import dev.isthmus.train.SgdSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelComparisonTest {
    private static final long SEED = 7;

    private static ComparisonReport compare(Backend a, Backend b, Models model, int steps, int batchSize, Tolerances tolerances) {
        try (ModelComparison comparison = new ModelComparison(a, b, model, SEED, SgdSettings.lesson(), tolerances)) {
            return comparison.run(new SyntheticBatches(SEED, steps, batchSize, Models.MNIST_SAMPLE, 10), steps, false, Map.of(), step -> { });
        }
    }

    @ParameterizedTest
    @EnumSource(Models.class)
    void referenceAgainstReferenceIsBitIdenticalForEveryTensorOfEveryModel(Models model) {
        try (Backend a = new ReferenceBackend(); Backend b = new ReferenceBackend()) {
            ComparisonReport report = compare(a, b, model, 2, 3, Tolerances.exact());

            assertTrue(report.passed(), () -> report.firstMismatch().orElseThrow().describe());
            assertEquals(2, report.steps().size());
            assertTrue(report.worst().isEmpty(), "no tensor differs at all");
            for (StepReport step : report.steps()) {
                assertEquals(step.lossA(), step.lossB());
                for (TensorDiff diff : step.tensors()) {
                    assertEquals(0, diff.maxAbs(), diff.label());
                }
            }
            assertEquals(0, a.liveBytes(), "closing the comparison frees the model, gradients and momentum on side A");
            assertEquals(0, b.liveBytes(), "... and on side B");
        }
    }

    @Test
    void everyLayerParameterGradientAndParameterIsComparedUnderItsNestedName() {
        try (Backend a = new ReferenceBackend(); Backend b = new ReferenceBackend()) {
            ComparisonReport report = compare(a, b, Models.INCEPTION, 1, 2, Tolerances.exact());
            List<TensorDiff> tensors = report.steps().getFirst().tensors();
            Set<String> activations = names(tensors, TensorKind.ACTIVATION);
            Set<String> activationGrads = names(tensors, TensorKind.ACTIVATION_GRAD);

            assertTrue(activations.containsAll(List.of("conv1", "pool1", "relu1", "incep1.branch1x1", "incep1.branch5x5_2",
                    "incep1.branch3x3_3", "incep1.branch_pool_avg", "incep1", "incep2.branch_pool", "flatten", "fc")), activations::toString);
            // Every layer's input gradient except the first layer's: its input is the data, which needs none.
            Set<String> expectedGrads = new java.util.HashSet<>(activations);
            expectedGrads.remove("conv1");
            assertEquals(expectedGrads, activationGrads.stream().filter(name -> !name.startsWith("loss")).collect(Collectors.toSet()));
            assertTrue(activationGrads.contains("loss.grad_logits"));
            try (var model = Models.INCEPTION.create(a)) {
                assertEquals(model.stateDict().keySet(), names(tensors, TensorKind.PARAM_GRAD));
                assertEquals(model.stateDict().keySet(), names(tensors, TensorKind.PARAM));
            }
            assertEquals(Set.of("loss"), names(tensors, TensorKind.LOSS));
        }
    }

    @Test
    void residualBlocksAreObservedInsideTheBlock() {
        try (Backend a = new ReferenceBackend(); Backend b = new ReferenceBackend()) {
            ComparisonReport report = compare(a, b, Models.RESNET, 1, 2, Tolerances.exact());
            Set<String> activations = names(report.steps().getFirst().tensors(), TensorKind.ACTIVATION);
            assertTrue(activations.containsAll(List.of("rblock1.conv1", "rblock1.relu", "rblock1.conv2", "rblock1", "rblock2.conv2")),
                    activations::toString);
        }
    }

    @Test
    void tensorsAreListedInTheOrderTheyAreComputedWithTheirParameterGradientsAfterTheLayer() {
        try (Backend a = new ReferenceBackend(); Backend b = new ReferenceBackend()) {
            List<String> order = compare(a, b, Models.CNN, 1, 2, Tolerances.exact()).steps().getFirst().tensors().stream()
                    .map(TensorDiff::label).toList();
            assertEquals(List.of(
                    "conv1 (activation)", "pool1 (activation)", "relu1 (activation)", "conv2 (activation)", "pool2 (activation)",
                    "relu2 (activation)", "flatten (activation)", "fc (activation)", "loss (loss)", "loss.grad_logits (activation-grad)",
                    "fc (activation-grad)", "fc.weight (param-grad)", "fc.bias (param-grad)", "flatten (activation-grad)",
                    "relu2 (activation-grad)", "pool2 (activation-grad)", "conv2 (activation-grad)", "conv2.weight (param-grad)",
                    "conv2.bias (param-grad)", "relu1 (activation-grad)", "pool1 (activation-grad)",
                    "conv1.weight (param-grad)", "conv1.bias (param-grad)",
                    "conv1.weight (param)", "conv1.bias (param)", "conv2.weight (param)", "conv2.bias (param)", "fc.weight (param)",
                    "fc.bias (param)"), order);
        }
    }

    @Test
    void termsCountTheReductionsOnTheWayToEachTensor() {
        try (Backend a = new ReferenceBackend(); Backend b = new ReferenceBackend()) {
            ComparisonReport report = compare(a, b, Models.CNN, 2, 4, Tolerances.defaults());
            Map<String, Long> terms = new java.util.HashMap<>();
            report.steps().getFirst().tensors().forEach(diff -> terms.put(diff.label(), diff.terms()));
            // conv1 [10,1,5,5]: 25 terms; pool1 and relu1 add one each; conv2 [20,10,5,5]: 250.
            assertEquals(25, terms.get("conv1 (activation)"));
            assertEquals(27, terms.get("relu1 (activation)"));
            assertEquals(277, terms.get("conv2 (activation)"));
            // fc [10, 320] after pool2, relu2, flatten: 277 + 3 + 320; the loss adds N·classes = 40.
            assertEquals(600, terms.get("fc (activation)"));
            assertEquals(640, terms.get("loss (loss)"));
            // fc's weight gradient sums over the batch (4) on top of the incoming gradient's 640.
            assertEquals(644, terms.get("fc.weight (param-grad)"));
            // conv1's weight gradient sums over N·P·Q = 4·24·24 on top of its incoming gradient.
            long incoming = terms.get("pool1 (activation-grad)");
            assertEquals(incoming + 4 * 24 * 24, terms.get("conv1.weight (param-grad)"));
            // A parameter carries the error of every update so far.
            long secondStep = report.steps().get(1).tensors().stream()
                    .filter(diff -> diff.label().equals("conv1.weight (param)")).findFirst().orElseThrow().terms();
            assertEquals(2 * terms.get("conv1.weight (param-grad)"), secondStep);
        }
    }

    @Test
    void aFlippedWeightGradientIsCaughtAtThatLayerAndStep() {
        try (Backend a = new ReferenceBackend();
             Backend b = new PerturbedBackend(new ReferenceBackend()).flipWeightGradient(Shape.of(20, 10, 5, 5), 2)) {
            ComparisonReport report = compare(a, b, Models.CNN, 3, 4, Tolerances.defaults());

            assertTrue(report.steps().getFirst().passed(), "step 1 is untouched");
            Mismatch mismatch = report.firstMismatch().orElseThrow();
            assertEquals(2, mismatch.step());
            assertEquals("conv2.weight", mismatch.diff().tensor());
            assertEquals(TensorKind.PARAM_GRAD, mismatch.diff().kind());
            assertEquals(-mismatch.diff().worstA(), mismatch.diff().worstB());
            assertTrue(mismatch.describe().startsWith("backends disagree at step 2: conv2.weight (param-grad) at ["), mismatch.describe());
            // Everything computed before it in step 2 still agrees; the update then carries the error on.
            List<TensorDiff> step2 = report.steps().get(1).tensors();
            int failing = step2.indexOf(mismatch.diff());
            assertTrue(step2.subList(0, failing).stream().allMatch(TensorDiff::passed));
            assertFalse(report.steps().get(2).passed());
        }
    }

    @Test
    void aPerturbedActivationIsCaughtAtThatLayerAndStep() {
        // relu is called twice per CNN forward pass (relu1, relu2): call 5 is relu1 of step 3.
        try (Backend a = new ReferenceBackend();
             Backend b = new PerturbedBackend(new ReferenceBackend()).perturbRelu(5, 123, 1e-2f)) {
            ComparisonReport report = compare(a, b, Models.CNN, 3, 4, Tolerances.defaults());

            Mismatch mismatch = report.firstMismatch().orElseThrow();
            assertEquals(3, mismatch.step());
            assertEquals("relu1 (activation)", mismatch.diff().label());
            assertEquals(123, mismatch.diff().worstIndex());
            assertEquals(1e-2, mismatch.diff().maxAbs(), 1e-6);
        }
    }

    @Test
    void failFastStopsAfterTheFirstDisagreeingStep() {
        try (Backend a = new ReferenceBackend();
             Backend b = new PerturbedBackend(new ReferenceBackend()).flipWeightGradient(Shape.of(10, 1, 5, 5), 1);
             ModelComparison comparison = new ModelComparison(a, b, Models.CNN, SEED, SgdSettings.lesson(), Tolerances.defaults())) {
            List<Integer> seen = new ArrayList<>();
            ComparisonReport report = comparison.run(new SyntheticBatches(SEED, 5, 2, Models.MNIST_SAMPLE, 10), 5, true, Map.of(),
                    step -> seen.add(step.step()));
            assertEquals(List.of(1), seen);
            assertEquals(1, report.steps().size());
            assertEquals("conv1.weight", report.firstMismatch().orElseThrow().diff().tensor());
        }
    }

    @Test
    void theLayerSummaryKeepsEachTensorsWorstStep() {
        try (Backend a = new ReferenceBackend();
             Backend b = new PerturbedBackend(new ReferenceBackend()).perturbRelu(3, 0, 0.5f)) {
            ComparisonReport report = compare(a, b, Models.CNN, 2, 2, Tolerances.defaults());
            LayerSummary relu1 = report.layerSummary().stream()
                    .filter(s -> s.label().equals("relu1 (activation)")).findFirst().orElseThrow();
            assertEquals(2, relu1.worstStep());
            assertFalse(relu1.passed());
            assertEquals(0.5, relu1.maxAbs(), 1e-6);
        }
    }

    private static Set<String> names(List<TensorDiff> tensors, TensorKind kind) {
        return tensors.stream().filter(diff -> diff.kind() == kind).map(TensorDiff::tensor).collect(Collectors.toSet());
    }
}
