package dev.isthmus.data;

import dev.isthmus.tensor.Shape;
import dev.isthmus.train.Batch;

import java.util.Iterator;
import java.util.SplittableRandom;

/**
 * Random batches drawn from a seed, so a comparison runs without a data set: images standard
 * normal (the scale of normalised MNIST), labels uniform over the classes. Batch {@code i} depends
 * only on {@code (seed, i)}.
 */
public final class SyntheticBatches implements Iterable<Batch> {
    private final long seed;
    private final int count;
    private final int batchSize;
    private final Shape sample;
    private final int classes;

    /**
     * Random batches, the same for the same seed.
     *
     * @param seed      the seed
     * @param count     batches per iteration
     * @param batchSize images per batch
     * @param sample    one image without the batch axis, e.g. [1, 28, 28]
     * @param classes   labels are drawn from 0 to classes - 1
     */
    public SyntheticBatches(long seed, int count, int batchSize, Shape sample, int classes) {
        if (batchSize <= 0) throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        if (classes <= 0) throw new IllegalArgumentException("classes must be positive, got " + classes);
        this.seed = seed;
        this.count = count;
        this.batchSize = batchSize;
        this.sample = sample;
        this.classes = classes;
    }

    /**
     * One batch, the same for the same seed and index.
     *
     * @param index which batch
     * @return the batch (Java heap)
     */
    public Batch batch(int index) {
        SplittableRandom parent = new SplittableRandom(seed);
        SplittableRandom random = parent.split();
        for (int i = 0; i < index; i++) random = parent.split(); // the index-th child stream
        int[] dims = new int[sample.rank() + 1];
        dims[0] = batchSize;
        System.arraycopy(sample.dims(), 0, dims, 1, sample.rank());
        Shape shape = Shape.of(dims);
        float[] images = new float[Math.toIntExact(shape.numel())];
        for (int i = 0; i < images.length; i++) images[i] = (float) random.nextGaussian();
        int[] labels = new int[batchSize];
        for (int i = 0; i < batchSize; i++) labels[i] = random.nextInt(classes);
        return new Batch(shape, images, labels);
    }

    @Override
    public Iterator<Batch> iterator() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < count;
            }

            @Override
            public Batch next() {
                if (!hasNext()) throw new java.util.NoSuchElementException("no more synthetic batches");
                return batch(next++);
            }
        };
    }
}
