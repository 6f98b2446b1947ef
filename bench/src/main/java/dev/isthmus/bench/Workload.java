package dev.isthmus.bench;

/**
 * A benchmark workload name as used in {@code @Param}: a layer or model name and a batch size,
 * written {@code name/bN}, e.g. {@code cnn.conv1/b64} or {@code resnet/b256}. Layer names follow
 * the models' PyTorch state-dict names so a row in a report points at one layer.
 */
public record Workload(String name, int batch) {

    public Workload {
        if (batch <= 0) {
            throw new IllegalArgumentException("workload '" + name + "': batch size must be positive, got " + batch);
        }
    }

    public static Workload parse(String text) {
        int slash = text.lastIndexOf("/b");
        if (slash <= 0) {
            throw new IllegalArgumentException("workload '" + text + "' must look like name/bN, e.g. cnn.conv1/b64");
        }
        try {
            return new Workload(text.substring(0, slash), Integer.parseInt(text.substring(slash + 2)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("workload '" + text + "': '" + text.substring(slash + 2)
                    + "' is not a batch size; write name/bN, e.g. cnn.conv1/b64");
        }
    }

    @Override
    public String toString() {
        return name + "/b" + batch;
    }
}
