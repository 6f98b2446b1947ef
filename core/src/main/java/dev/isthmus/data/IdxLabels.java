package dev.isthmus.data;

/** The contents of an IDX label file: one class index per item. */
public record IdxLabels(int[] labels) {
    public int count() {
        return labels.length;
    }
}
