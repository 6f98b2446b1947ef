package dev.isthmus.train;

import dev.isthmus.tensor.Shape;

/**
 * One mini-batch on the host: normalised images [B, C, H, W] and their class indices.
 *
 * @param shape  [B, C, H, W]
 * @param images the pixels, row-major, {@code shape.numel()} values (Java heap, no native memory)
 * @param labels one class index per image
 */
public record Batch(Shape shape, float[] images, int[] labels) {
    /** Checks that the shape matches the arrays. */
    public Batch {
        if (shape.numel() != images.length || shape.dim(0) != labels.length) {
            throw new IllegalArgumentException("batch: shape " + shape + " does not match " + images.length
                    + " values and " + labels.length + " labels");
        }
    }

    /**
     * The number of images.
     *
     * @return B
     */
    public int size() {
        return labels.length;
    }
}
