package dev.isthmus.train;

import dev.isthmus.backend.AdamStep;

/**
 * Hyper-parameters of {@code torch.optim.Adam(lr, betas=(beta1, beta2), eps, weight_decay)} or, with
 * {@code decoupledWeightDecay}, {@code torch.optim.AdamW} (amsgrad and maximize off). Doubles, as PyTorch's
 * Python floats are.
 *
 * @param learningRate         zero or positive
 * @param beta1                in [0, 1)
 * @param beta2                in [0, 1)
 * @param eps                  positive
 * @param weightDecay          zero or positive
 * @param decoupledWeightDecay AdamW (decay the parameters) instead of Adam (L2 term in the gradient)
 */
public record AdamSettings(double learningRate, double beta1, double beta2, double eps, double weightDecay, boolean decoupledWeightDecay) {
    /** PyTorch's default β1. */
    public static final double DEFAULT_BETA1 = 0.9;
    /** PyTorch's default β2. */
    public static final double DEFAULT_BETA2 = 0.999;
    /** PyTorch's default eps. */
    public static final double DEFAULT_EPS = 1e-8;
    /** PyTorch's default learning rate of Adam and AdamW. */
    public static final double DEFAULT_LEARNING_RATE = 1e-3;
    /** PyTorch's default weight decay of AdamW (Adam's is 0). */
    public static final double ADAMW_DEFAULT_WEIGHT_DECAY = 1e-2;

    /** Checks the ranges with {@link AdamStep#check}; an {@link IllegalArgumentException} names the bad value. */
    public AdamSettings {
        new AdamStep(learningRate, beta1, beta2, eps, weightDecay, 1, decoupledWeightDecay).check(decoupledWeightDecay ? "AdamW" : "Adam");
    }

    /**
     * {@code torch.optim.Adam(lr=learningRate)} with PyTorch's other defaults.
     *
     * @param learningRate the learning rate
     * @return those settings
     */
    public static AdamSettings adam(double learningRate) {
        return new AdamSettings(learningRate, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPS, 0, false);
    }

    /**
     * {@code torch.optim.AdamW(lr=learningRate)} with PyTorch's other defaults (weight decay 0.01).
     *
     * @param learningRate the learning rate
     * @return those settings
     */
    public static AdamSettings adamW(double learningRate) {
        return new AdamSettings(learningRate, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPS, ADAMW_DEFAULT_WEIGHT_DECAY, true);
    }

    /**
     * The same settings with another learning rate.
     *
     * @param rate the new learning rate
     * @return the new settings
     */
    public AdamSettings withLearningRate(double rate) {
        return new AdamSettings(rate, beta1, beta2, eps, weightDecay, decoupledWeightDecay);
    }

    /**
     * The backend's arguments for update number {@code step}.
     *
     * @param step the update's number, from 1
     * @return the settings with the step
     */
    public AdamStep at(long step) {
        return new AdamStep(learningRate, beta1, beta2, eps, weightDecay, step, decoupledWeightDecay);
    }
}
