package dev.isthmus.compare;

import dev.isthmus.data.SyntheticBatches;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.isthmus.backend.Backend;
import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.nn.Models;
import dev.isthmus.tensor.Shape;
import dev.isthmus.train.SgdSettings;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ComparisonJsonTest {

    @Test
    void theJsonHoldsTheSameFactsAsTheReport() throws Exception {
        ComparisonReport report;
        try (Backend a = new ReferenceBackend();
             Backend b = new PerturbedBackend(new ReferenceBackend()).flipWeightGradient(Shape.of(20, 10, 5, 5), 2);
             ModelComparison comparison = new ModelComparison(a, b, Models.CNN, 1, SgdSettings.lesson(), Tolerances.defaults())) {
            report = comparison.run(new SyntheticBatches(1, 2, 2, Models.MNIST_SAMPLE, 10), 2, false, Map.of("batchSize", 2), s -> { });
        }
        JsonNode json = new ObjectMapper().readTree(ComparisonJson.write(report));

        assertEquals("reference", json.get("a").asText());
        assertEquals("model cnn", json.get("subject").asText());
        assertEquals("cnn", json.at("/setup/model").asText());
        assertEquals(2, json.at("/setup/batchSize").asInt());
        assertFalse(json.get("passed").asBoolean());
        assertEquals(Tolerances.defaults().base(TensorKind.PARAM_GRAD).rtol(), json.at("/tolerances/param-grad/rtol").asDouble());
        Mismatch mismatch = report.firstMismatch().orElseThrow();
        JsonNode first = json.get("firstMismatch");
        assertEquals(2, first.get("step").asInt());
        assertEquals("conv2.weight", first.get("tensor").asText());
        assertEquals("param-grad", first.get("kind").asText());
        assertEquals(mismatch.diff().worstA(), (float) first.get("a").asDouble());
        assertEquals(mismatch.describe(), first.get("message").asText());
        long[] coordinates = mismatch.diff().coordinates(mismatch.diff().worstIndex());
        for (int axis = 0; axis < coordinates.length; axis++) {
            assertEquals(coordinates[axis], first.get("worstIndex").get(axis).asLong());
        }

        assertEquals(2, json.get("steps").size());
        for (int s = 0; s < 2; s++) {
            StepReport step = report.steps().get(s);
            JsonNode node = json.get("steps").get(s);
            assertEquals(step.lossA(), node.get("lossA").floatValue());
            assertEquals(step.passed(), node.get("passed").asBoolean());
            JsonNode worstTensor = node.get("worstTensor");
            assertEquals(step.worst().map(TensorDiff::tensor).orElse(null), worstTensor.isNull() ? null : worstTensor.asText());
            assertEquals(step.tensors().size(), node.get("tensors").size());
            for (int t = 0; t < step.tensors().size(); t++) {
                TensorDiff diff = step.tensors().get(t);
                JsonNode tensor = node.get("tensors").get(t);
                assertEquals(diff.tensor(), tensor.get("tensor").asText());
                assertEquals(diff.maxAbs(), tensor.get("maxAbs").asDouble());
                assertEquals(diff.worstRatio(), tensor.get("toleranceUsed").asDouble());
                assertEquals(diff.terms(), tensor.get("terms").asLong());
            }
        }
        JsonNode equalTensor = json.at("/steps/0/tensors/0");
        assertEquals(0, equalTensor.get("maxAbs").asDouble(), "step 1 is untouched");
        assertTrue(equalTensor.get("worstIndex").isNull());
        assertTrue(equalTensor.get("a").isNull());
        assertEquals(report.layerSummary().size(), json.get("layers").size());
        assertTrue(json.get("layers").get(0).has("worstStep"));
    }

    @Test
    void nonFiniteNumbersBecomeStrings() throws Exception {
        TensorDiff diff = TensorDiff.compare("loss", TensorKind.LOSS, Shape.of(), new float[] {1}, new float[] {Float.NaN}, 1, Tolerance.EXACT);
        ComparisonReport report = new ComparisonReport("x", "y", "op cross-entropy", Map.of(), Tolerances.exact(),
                java.util.List.of(new StepReport(1, 1f, Float.NaN, java.util.List.of(diff))));
        JsonNode json = new ObjectMapper().readTree(ComparisonJson.write(report));
        assertEquals("NaN", json.at("/steps/0/lossB").asText());
        assertEquals("Infinity", json.at("/steps/0/tensors/0/maxAbs").asText());
    }
}
