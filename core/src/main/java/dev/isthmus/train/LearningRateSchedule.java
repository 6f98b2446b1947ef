package dev.isthmus.train;

import java.util.Arrays;

/**
 * The learning rate of each epoch, set before the epoch like a PyTorch scheduler stepped once per
 * epoch: an optional linear warm-up ({@code base·e/W} for epochs e = 1…W), then
 * <ul>
 *   <li>{@code constant}: the base rate;</li>
 *   <li>{@code step}: {@code StepLR(step_size, gamma=0.1)}, the rate divided by 10 every {@code stepEpochs} epochs;</li>
 *   <li>{@code cosine}: {@code CosineAnnealingLR(T_max = epochs − W, eta_min = 0)},
 *       {@code base·(1 + cos(π·k/T))/2} for the k-th epoch after the warm-up (k = 0, 1, …).</li>
 * </ul>
 * The rate depends on the epoch alone, so a resumed run gets the same rates as an uninterrupted one.
 *
 * @param kind         the schedule after the warm-up
 * @param base         the base learning rate ({@code --lr})
 * @param epochs       the run's total epochs
 * @param warmupEpochs epochs of linear warm-up, fewer than {@code epochs}
 * @param stepEpochs   epochs between two step decays, at least 1
 */
public record LearningRateSchedule(Kind kind, float base, int epochs, int warmupEpochs, int stepEpochs) {

    /** The shape of the schedule after the warm-up. */
    public enum Kind {
        /** The base rate throughout. */
        CONSTANT,
        /** Divided by 10 every {@code stepEpochs} epochs. */
        STEP,
        /** Cosine annealing to zero. */
        COSINE;

        /**
         * The name on the command line.
         *
         * @return {@code constant}, {@code step} or {@code cosine}
         */
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /**
         * The kind of a command-line name.
         *
         * @param id one of the ids
         * @return the kind
         * @throws IllegalArgumentException listing the choices
         */
        public static Kind byId(String id) {
            return Arrays.stream(values()).filter(kind -> kind.id().equals(id)).findFirst().orElseThrow(() ->
                    new IllegalArgumentException("unknown --lr-schedule '" + id + "'; choose constant, step or cosine"));
        }
    }

    /** Checks the settings, naming the command-line option to change. */
    public LearningRateSchedule {
        if (!(base > 0) || !Float.isFinite(base)) throw new IllegalArgumentException("--lr must be a positive number, got " + base);
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
        if (warmupEpochs < 0) throw new IllegalArgumentException("--warmup-epochs must be zero or more, got " + warmupEpochs);
        if (warmupEpochs >= epochs) {
            throw new IllegalArgumentException("--warmup-epochs " + warmupEpochs + " is not shorter than the run (--epochs " + epochs
                    + "); use fewer warm-up epochs or more epochs");
        }
        if (stepEpochs < 1) throw new IllegalArgumentException("--lr-step-epochs must be at least 1, got " + stepEpochs);
    }

    /**
     * The lesson's schedule: the base rate throughout.
     *
     * @param base   the learning rate
     * @param epochs the run's total epochs
     * @return the schedule
     */
    public static LearningRateSchedule constant(float base, int epochs) {
        return new LearningRateSchedule(Kind.CONSTANT, base, epochs, 0, 1);
    }

    /**
     * The learning rate of one epoch.
     *
     * @param epoch 1-based
     * @return the rate to train that epoch with
     */
    public float at(int epoch) {
        if (epoch <= warmupEpochs) return (float) ((double) base * epoch / warmupEpochs);
        int k = epoch - warmupEpochs - 1;
        return switch (kind) {
            case CONSTANT -> base;
            case STEP -> (float) (base * Math.pow(0.1, k / stepEpochs));
            case COSINE -> (float) (base * (1 + Math.cos(Math.PI * k / (epochs - warmupEpochs))) / 2);
        };
    }
}
