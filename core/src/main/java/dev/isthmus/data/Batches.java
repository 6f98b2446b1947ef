package dev.isthmus.data;

import dev.isthmus.tensor.Shape;
import dev.isthmus.train.Batch;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * Mini-batches over a split, like PyTorch's {@code DataLoader(shuffle=..., drop_last=False)}: every
 * sample once per epoch, the last batch smaller when the batch size does not divide the split.
 * <p>
 * Shuffling is deterministic: the order of epoch {@code e} depends only on {@code (seed, e)}.
 * Algorithm: {@code SplittableRandom(epochSeed(seed, e))} drives a Fisher–Yates shuffle of
 * {@code 0..n-1} ({@code for i = n-1 down to 1: swap(i, nextInt(i + 1))}), where
 * {@code epochSeed = mix64(mix64(seed) + 0x9E3779B97F4A7C15 · (e + 1))} and {@code mix64} is
 * Stafford's variant-13 finaliser (a bijection). Seeding {@code SplittableRandom} with plain
 * {@code seed + e} would make neighbouring epochs' streams overlap, so the seed is mixed first.
 * <p>
 * Each batch is a {@link Batch} of host floats shaped [B, 1, rows, columns], ready for
 * {@code Backend.fromArray(batch.shape(), batch.images())}.
 */
public final class Batches {
    private final Split split;
    private final int batchSize;
    private final long seed;
    private final boolean shuffle;

    private Batches(Split split, int batchSize, long seed, boolean shuffle) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        this.split = split;
        this.batchSize = batchSize;
        this.seed = seed;
        this.shuffle = shuffle;
    }

    /**
     * Reshuffled every epoch from {@code seed} (training).
     *
     * @param split     the samples
     * @param batchSize images per batch
     * @param seed      the shuffle seed
     * @return the batches
     */
    public static Batches shuffled(Split split, int batchSize, long seed) {
        return new Batches(split, batchSize, seed, true);
    }

    /**
     * In file order every epoch (evaluation).
     *
     * @param split     the samples
     * @param batchSize images per batch
     * @return the batches
     */
    public static Batches inOrder(Split split, int batchSize) {
        return new Batches(split, batchSize, 0, false);
    }

    /**
     * The samples.
     *
     * @return the split
     */
    public Split split() {
        return split;
    }

    /**
     * Images per batch.
     *
     * @return the batch size (the last batch may be smaller)
     */
    public int batchSize() {
        return batchSize;
    }

    /**
     * Batches per epoch, counting a last partial one.
     *
     * @return the count
     */
    public int batchCount() {
        return (split.size() + batchSize - 1) / batchSize;
    }

    /**
     * The sample indices of epoch {@code epoch}, in the order they are served.
     *
     * @param epoch the epoch (the shuffle depends on it)
     * @return indices into the split
     */
    public int[] order(int epoch) {
        int n = split.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        if (!shuffle) return order;
        SplittableRandom random = new SplittableRandom(epochSeed(seed, epoch));
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    /**
     * The batches of one epoch; each iteration gives the same batches (the order is computed up front).
     *
     * @param epoch the epoch
     * @return host batches (Java heap)
     */
    public Iterable<Batch> epoch(int epoch) {
        int[] order = order(epoch);
        return () -> new BatchIterator(order);
    }

    static long epochSeed(long seed, int epoch) {
        return mix64(mix64(seed) + 0x9E3779B97F4A7C15L * (epoch + 1L));
    }

    /** Stafford's variant 13 of the MurmurHash3 64-bit finaliser, as used inside SplittableRandom. */
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private final class BatchIterator implements Iterator<Batch> {
        private final int[] order;
        private int next;

        BatchIterator(int[] order) {
            this.order = order;
        }

        @Override
        public boolean hasNext() {
            return next < order.length;
        }

        @Override
        public Batch next() {
            if (!hasNext()) throw new NoSuchElementException("epoch has no more batches");
            int size = Math.min(batchSize, order.length - next);
            int pixels = split.pixelsPerImage();
            float[] images = new float[size * pixels];
            int[] labels = new int[size];
            for (int b = 0; b < size; b++) {
                int sample = order[next + b];
                split.copyImage(sample, images, b * pixels);
                labels[b] = split.label(sample);
            }
            next += size;
            return new Batch(Shape.of(size, 1, split.rows(), split.columns()), images, labels);
        }
    }
}
