package dev.isthmus.train;

import dev.isthmus.data.Split;

import java.util.SplittableRandom;

/**
 * A learnable stand-in for MNIST, made in memory: class c is a bright 4×4 square at its own place
 * on a noisy 28×28 image. A working CNN separates it within a few hundred steps; chance is 10%.
 */
final class SyntheticDigits {
    private SyntheticDigits() {
    }

    static Split split(String name, int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] images = new float[count * 28 * 28];
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            int label = random.nextInt(10);
            labels[i] = label;
            int top = 2 + (label / 5) * 12 + random.nextInt(3);
            int left = 2 + (label % 5) * 5 + random.nextInt(2);
            for (int p = 0; p < 28 * 28; p++) images[i * 784 + p] = (float) (random.nextGaussian() * 0.5);
            for (int r = top; r < top + 4; r++) {
                for (int c = left; c < left + 4; c++) images[i * 784 + r * 28 + c] += 2.5f;
            }
        }
        return Split.ofNormalized(name, 28, 28, images, labels);
    }
}
