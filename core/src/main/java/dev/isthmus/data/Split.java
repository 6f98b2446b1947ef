package dev.isthmus.data;

import dev.isthmus.tensor.Shape;

/**
 * One split of a dataset (train or test): images normalised to floats, one channel, row-major
 * [count, 1, rows, columns], and their class indices. Immutable; {@link #first} gives a shorter
 * split for fast tests and smoke runs.
 */
public final class Split {
    private final String name;
    private final int count;
    private final int rows;
    private final int columns;
    private final float[] images;
    private final int[] labels;

    private Split(String name, int count, int rows, int columns, float[] images, int[] labels) {
        this.name = name;
        this.count = count;
        this.rows = rows;
        this.columns = columns;
        this.images = images;
        this.labels = labels;
    }

    /**
     * Normalises the pixels of {@code images}; both files must hold the same number of items.
     *
     * @param name          "train" or "test"
     * @param images        the raw images
     * @param labels        their labels
     * @param normalization how pixels become floats
     * @return the split, on the Java heap
     */
    public static Split of(String name, IdxImages images, IdxLabels labels, Normalization normalization) {
        if (images.count() != labels.count()) {
            throw new IllegalArgumentException(name + ": " + images.count() + " images but " + labels.count() + " labels");
        }
        float[] table = normalization.table();
        byte[] pixels = images.pixels();
        float[] values;
        try {
            values = new float[pixels.length];
        } catch (OutOfMemoryError e) {
            // Four bytes per pixel once normalised: a data set that fits as bytes may not fit as floats.
            throw new DatasetException(name + " split: " + images.count() + " images of " + images.rows() + "x" + images.columns() + " need "
                    + ((long) pixels.length * Float.BYTES >> 20) + " MiB as floats, more than the Java heap has free; give Java more memory"
                    + " (ISTHMUS_JAVA_OPTS=-Xmx8g) or use fewer images", e);
        }
        for (int i = 0; i < pixels.length; i++) values[i] = table[pixels[i] & 0xFF];
        return new Split(name, images.count(), images.rows(), images.columns(), values, labels.labels().clone());
    }

    /**
     * A split from values already normalised: {@code images} holds {@code labels.length} images of rows×columns.
     *
     * @param name    a name for messages
     * @param rows    rows per image
     * @param columns columns per image
     * @param images  the values, copied
     * @param labels  the labels, copied
     * @return the split
     */
    public static Split ofNormalized(String name, int rows, int columns, float[] images, int[] labels) {
        if ((long) labels.length * rows * columns != images.length) {
            throw new IllegalArgumentException(name + ": " + images.length + " values are not " + labels.length + " images of " + rows + "x" + columns);
        }
        return new Split(name, labels.length, rows, columns, images.clone(), labels.clone());
    }

    /**
     * "train" or "test" (with "[:n]" for a slice).
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The number of samples.
     *
     * @return how many images
     */
    public int size() {
        return count;
    }

    /**
     * Rows per image.
     *
     * @return the height
     */
    public int rows() {
        return rows;
    }

    /**
     * Columns per image.
     *
     * @return the width
     */
    public int columns() {
        return columns;
    }

    /**
     * One sample without the batch axis: [1, rows, columns].
     *
     * @return the shape
     */
    public Shape sampleShape() {
        return Shape.of(1, rows, columns);
    }

    /**
     * Pixels in one image.
     *
     * @return rows × columns
     */
    public int pixelsPerImage() {
        return rows * columns;
    }

    /**
     * The label of one sample.
     *
     * @param index the sample
     * @return its class index
     */
    public int label(int index) {
        return labels[index];
    }

    /**
     * A copy of one normalised image, rows×columns values.
     *
     * @param index the sample
     * @return a new array
     */
    public float[] image(int index) {
        float[] image = new float[pixelsPerImage()];
        copyImage(index, image, 0);
        return image;
    }

    /**
     * Copies image {@code index} into {@code target} at {@code offset}.
     *
     * @param index  the sample
     * @param target the array to fill
     * @param offset where in it
     */
    public void copyImage(int index, float[] target, int offset) {
        System.arraycopy(images, index * pixelsPerImage(), target, offset, pixelsPerImage());
    }

    /**
     * The first {@code n} samples (all of them when {@code n} is at least the size).
     *
     * @param n how many
     * @return the smaller split
     */
    public Split first(int n) {
        if (n < 0) throw new IllegalArgumentException("cannot take the first " + n + " samples of " + name);
        if (n >= count) return this;
        float[] sliceImages = java.util.Arrays.copyOf(images, n * pixelsPerImage());
        int[] sliceLabels = java.util.Arrays.copyOf(labels, n);
        return new Split(name + "[:" + n + "]", n, rows, columns, sliceImages, sliceLabels);
    }

    @Override
    public String toString() {
        return "Split " + name + ": " + count + " images of " + rows + "x" + columns;
    }
}
