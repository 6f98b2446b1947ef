package dev.isthmus.data;

/**
 * The contents of an IDX label file: one class index per item.
 *
 * @param labels the class indices
 */
public record IdxLabels(int[] labels) {
    /**
     * The number of labels.
     *
     * @return how many items
     */
    public int count() {
        return labels.length;
    }
}
