package dev.isthmus.checkpoint;

import dev.isthmus.tensor.Shape;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The content of a safetensors file: tensors by name (in file order) and the string metadata.
 *
 * @param file     where it was read from, for messages (may be null for in-memory data)
 * @param tensors  tensors by name, in file order
 * @param metadata the header's string metadata
 */
public record SafeTensorsFile(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata) {
    private static final int NAMES_SHOWN = 5;

    /** Keeps unmodifiable copies of the maps. */
    public SafeTensorsFile {
        tensors = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(tensors));
        metadata = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metadata));
    }

    /**
     * Shapes by name, as a model's expectation is expressed.
     *
     * @return the tensors' shapes, in file order
     */
    public Map<String, Shape> shapes() {
        Map<String, Shape> shapes = new java.util.LinkedHashMap<>();
        tensors.forEach((name, tensor) -> shapes.put(name, tensor.shape()));
        return shapes;
    }

    /**
     * Checks that the file holds exactly the tensors {@code expected} names, with those shapes;
     * throws a one-line message naming the missing, unexpected or mis-shaped tensors otherwise,
     * e.g. "conv1.weight has shape [10, 1, 3, 3] but model 'cnn' expects [10, 1, 5, 5]".
     *
     * @param expected  shapes by tensor name
     * @param modelName the model, for messages
     */
    public void requireTensors(Map<String, Shape> expected, String modelName) {
        List<String> problems = new ArrayList<>();
        TreeSet<String> missing = new TreeSet<>(expected.keySet());
        missing.removeAll(tensors.keySet());
        if (!missing.isEmpty()) {
            problems.add("missing " + plural(missing.size(), "tensor") + " " + list(missing) + " that model '" + modelName + "' needs");
        }
        TreeSet<String> unexpected = new TreeSet<>(tensors.keySet());
        unexpected.removeAll(expected.keySet());
        if (!unexpected.isEmpty()) {
            problems.add(plural(unexpected.size(), "tensor") + " " + list(unexpected) + " that model '" + modelName + "' does not have");
        }
        int wrongShapes = 0;
        for (Map.Entry<String, Shape> entry : expected.entrySet()) {
            HostTensor tensor = tensors.get(entry.getKey());
            if (tensor != null && !tensor.shape().equals(entry.getValue())) {
                if (wrongShapes++ < NAMES_SHOWN) {
                    problems.add(entry.getKey() + " has shape " + tensor.shape() + " but model '" + modelName + "' expects " + entry.getValue());
                }
            }
        }
        if (wrongShapes > NAMES_SHOWN) problems.add("and " + (wrongShapes - NAMES_SHOWN) + " more wrong shapes");
        if (!problems.isEmpty()) {
            throw new CheckpointException((file == null ? "checkpoint" : file.toString()) + ": " + String.join("; ", problems)
                    + " (is this a checkpoint of another model? pass that model with --model)");
        }
    }

    private static String plural(int n, String word) {
        return n == 1 ? word : n + " " + word + "s";
    }

    private static String list(TreeSet<String> names) {
        List<String> shown = names.stream().limit(NAMES_SHOWN).toList();
        return String.join(", ", shown) + (names.size() > NAMES_SHOWN ? " and " + (names.size() - NAMES_SHOWN) + " more" : "");
    }
}
