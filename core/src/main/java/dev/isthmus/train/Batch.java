package dev.isthmus.train;

import dev.isthmus.tensor.Shape;

/** One mini-batch on the host: normalised images [B, C, H, W] and their class indices. */
public record Batch(Shape shape, float[] images, int[] labels) {
    public Batch {
        if (shape.numel() != images.length || shape.dim(0) != labels.length) {
            throw new IllegalArgumentException("batch: shape " + shape + " does not match " + images.length
                    + " values and " + labels.length + " labels");
        }
    }

    public int size() {
        return labels.length;
    }
}
