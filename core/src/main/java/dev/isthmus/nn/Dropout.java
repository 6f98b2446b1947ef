package dev.isthmus.nn;

import dev.isthmus.backend.Backend;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * {@code nn.Dropout(p)}: in training, each element is zeroed with probability p and the kept ones are
 * scaled by 1/(1 − p); in eval mode the input passes through unchanged.
 * <p>
 * The mask of each training step is drawn on the host from the layer's seed and step number
 * ({@link #mask}), then uploaded and applied with {@link Backend#multiply}: every backend therefore
 * uses the same mask for the same step, so a CUDA step can be compared with the reference's. The step
 * counts training forward passes; {@link #seek} sets it (a resumed run continues the sequence). The
 * layer has no state-dict entries, as in PyTorch.
 */
public final class Dropout implements Layer {
    private final double p;
    private final long seed;
    private long step;
    private boolean training = true;
    private Tensor mask;

    /**
     * A dropout layer whose masks come from {@code seed}.
     *
     * @param p    the probability of zeroing an element, in [0, 1)
     * @param seed the seed of the mask sequence
     */
    public Dropout(double p, long seed) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropout: p must be in [0, 1), got " + p);
        }
        this.p = p;
        this.seed = seed;
    }

    /**
     * The mask of one step: each value 0 with probability p, else 1/(1 − p); the same for the same
     * arguments on every machine.
     *
     * @param seed  the layer's seed
     * @param step  the training step
     * @param count how many values
     * @param p     the drop probability, in [0, 1)
     * @return the scaled mask
     */
    public static float[] mask(long seed, long step, int count, double p) {
        SplittableRandom random = new SplittableRandom(seed ^ (step * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L));
        float kept = (float) (1 / (1 - p));
        float[] values = new float[count];
        for (int i = 0; i < count; i++) values[i] = random.nextDouble() < p ? 0f : kept;
        return values;
    }

    /**
     * The number of training forward passes so far: the next one uses this step's mask.
     *
     * @return the step
     */
    public long step() {
        return step;
    }

    /**
     * Sets the step whose mask the next training forward pass uses.
     *
     * @param step a step number, 0 for a fresh run
     */
    public void seek(long step) {
        this.step = step;
    }

    @Override
    public Tensor forward(Tensor input, StepScope scope) {
        if (!training || p == 0) {
            mask = null;
            return input;
        }
        Backend backend = input.backend();
        mask = scope.track(backend.fromArray(input.shape(), mask(seed, step++, Math.toIntExact(input.numel()), p)));
        return scope.track(backend.multiply(input, mask));
    }

    @Override
    public Tensor backward(Tensor gradOutput, StepScope scope) {
        return mask == null ? gradOutput : scope.track(gradOutput.backend().multiply(gradOutput, mask));
    }

    @Override
    public Shape outputShape(Shape input) {
        return input;
    }

    @Override
    public void setTraining(boolean training) {
        this.training = training;
        Layer.super.setTraining(training);
    }
}
