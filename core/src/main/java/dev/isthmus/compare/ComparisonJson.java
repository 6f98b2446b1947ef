package dev.isthmus.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A {@link ComparisonReport} as JSON, for machines: the same facts as the table. Non-finite numbers
 * (a NaN loss, an infinite error) are written as the strings {@code "NaN"}, {@code "Infinity"};
 * indices are NCHW coordinate arrays, {@code null} (with the values {@code a}, {@code b}) for a
 * tensor whose elements are all equal.
 */
public final class ComparisonJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ComparisonJson() {
    }

    public static String write(ComparisonReport report) {
        try {
            return MAPPER.writeValueAsString(toJson(report));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write the comparison as JSON: " + e.getMessage(), e);
        }
    }

    public static ObjectNode toJson(ComparisonReport report) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("a", report.backendA());
        root.put("b", report.backendB());
        root.put("subject", report.subject());
        root.set("setup", MAPPER.valueToTree(report.setup()));
        ObjectNode tolerances = root.putObject("tolerances");
        tolerances.put("rule", "|a-b| <= (atol*rms(a) + rtol*|a|) * sqrt(terms)");
        report.tolerances().bases().forEach((kind, tolerance) -> {
            ObjectNode node = tolerances.putObject(kind.id());
            node.put("atol", tolerance.atol());
            node.put("rtol", tolerance.rtol());
        });
        root.put("passed", report.passed());
        root.set("firstMismatch", report.firstMismatch().<JsonNode>map(ComparisonJson::mismatch).orElse(null));
        root.set("worst", report.worst().<JsonNode>map(ComparisonJson::mismatch).orElse(null));
        ArrayNode steps = root.putArray("steps");
        for (StepReport step : report.steps()) {
            ObjectNode node = steps.addObject();
            node.put("step", step.step());
            number(node, "lossA", step.lossA());
            number(node, "lossB", step.lossB());
            node.put("passed", step.passed());
            node.put("worstTensor", step.worst().map(TensorDiff::tensor).orElse(null));
            node.put("worstKind", step.worst().map(d -> d.kind().id()).orElse(null));
            ArrayNode tensors = node.putArray("tensors");
            step.tensors().forEach(diff -> tensors.add(diff(diff)));
        }
        ArrayNode layers = root.putArray("layers");
        for (LayerSummary summary : report.layerSummary()) {
            ObjectNode node = layers.addObject();
            node.put("tensor", summary.tensor());
            node.put("kind", summary.kind().id());
            number(node, "maxAbs", summary.maxAbs());
            number(node, "maxRel", summary.maxRel());
            number(node, "toleranceUsed", summary.worstRatio());
            node.put("worstStep", summary.worstStep());
            node.put("passed", summary.passed());
        }
        return root;
    }

    private static ObjectNode mismatch(Mismatch mismatch) {
        ObjectNode node = diff(mismatch.diff());
        node.put("step", mismatch.step());
        node.put("message", mismatch.describe());
        return node;
    }

    private static ObjectNode diff(TensorDiff diff) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("tensor", diff.tensor());
        node.put("kind", diff.kind().id());
        node.set("shape", MAPPER.valueToTree(diff.shape().dims()));
        node.put("terms", diff.terms());
        number(node, "rms", diff.magnitude());
        node.put("atol", diff.tolerance().atol());
        node.put("rtol", diff.tolerance().rtol());
        // Where no element differs there is no index to point at: null, and no values.
        boolean differs = diff.maxAbs() > 0 || !diff.passed();
        number(node, "maxAbs", diff.maxAbs());
        node.set("maxAbsIndex", differs ? index(diff, diff.maxAbsIndex()) : null);
        number(node, "maxRel", diff.maxRel());
        node.set("maxRelIndex", differs ? index(diff, diff.maxRelIndex()) : null);
        number(node, "toleranceUsed", diff.worstRatio());
        node.set("worstIndex", differs ? index(diff, diff.worstIndex()) : null);
        if (differs) {
            number(node, "a", diff.worstA());
            number(node, "b", diff.worstB());
        } else {
            node.putNull("a");
            node.putNull("b");
        }
        node.put("passed", diff.passed());
        if (diff.problem() != null) node.put("problem", diff.problem());
        if (diff.note() != null) node.put("note", diff.note());
        return node;
    }

    private static JsonNode index(TensorDiff diff, long flat) {
        long[] coordinates = diff.coordinates(flat);
        if (coordinates == null) return null;
        ArrayNode array = MAPPER.createArrayNode();
        for (long coordinate : coordinates) array.add(coordinate);
        return array;
    }

    /** Finite numbers as numbers; NaN and infinities as strings, which JSON has no number for. */
    private static void number(ObjectNode node, String field, double value) {
        if (Double.isFinite(value)) node.put(field, value);
        else node.put(field, Double.toString(value));
    }

    /** A float keeps its shortest decimal form (0.1, not 0.10000000149011612). */
    private static void number(ObjectNode node, String field, float value) {
        if (Float.isFinite(value)) node.put(field, value);
        else node.put(field, Float.toString(value));
    }
}
