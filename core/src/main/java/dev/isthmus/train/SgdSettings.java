package dev.isthmus.train;

/**
 * Hyper-parameters of {@code torch.optim.SGD(lr, momentum, weight_decay, nesterov)} (no dampening).
 *
 * @param learningRate positive
 * @param momentum     in [0, 1)
 * @param weightDecay  zero or positive
 * @param nesterov     Nesterov momentum; needs a positive momentum, as in PyTorch
 */
public record SgdSettings(float learningRate, float momentum, float weightDecay, boolean nesterov) {
    /** Checks the ranges; an {@link IllegalArgumentException} names the bad value. */
    public SgdSettings {
        if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be a positive number, got " + learningRate);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        if (!(weightDecay >= 0) || !Float.isFinite(weightDecay)) {
            throw new IllegalArgumentException("weight decay must be zero or positive, got " + weightDecay);
        }
        if (nesterov && momentum == 0) {
            throw new IllegalArgumentException("Nesterov momentum needs a momentum above 0");
        }
    }

    /**
     * Plain momentum, no Nesterov.
     *
     * @param learningRate positive
     * @param momentum     in [0, 1)
     * @param weightDecay  zero or positive
     */
    public SgdSettings(float learningRate, float momentum, float weightDecay) {
        this(learningRate, momentum, weightDecay, false);
    }

    /**
     * The lesson's optimiser: lr 0.01, momentum 0.5.
     *
     * @return those settings
     */
    public static SgdSettings lesson() {
        return new SgdSettings(0.01f, 0.5f, 0f);
    }
}
