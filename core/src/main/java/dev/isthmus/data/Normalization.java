package dev.isthmus.data;

/**
 * Pixel normalisation as torchvision's {@code ToTensor()} then {@code Normalize((mean,), (std,))}:
 * {@code (byte / 255 - mean) / std}, every step in float32 so the values equal PyTorch's bit for bit.
 */
public record Normalization(float mean, float std) {
    /** The lesson's MNIST statistics. */
    public static final Normalization MNIST = new Normalization(0.1307f, 0.3081f);
    /** Fashion-MNIST's training-set statistics. */
    public static final Normalization FASHION_MNIST = new Normalization(0.2860f, 0.3530f);

    public Normalization {
        if (!Float.isFinite(mean) || !(std > 0) || !Float.isFinite(std)) {
            throw new IllegalArgumentException("normalisation needs a finite mean and a positive std, got mean " + mean + ", std " + std);
        }
    }

    public float apply(int pixel) {
        return ((float) pixel / 255f - mean) / std;
    }

    /**
     * The same for a grey level that resizing made fractional; equal to {@link #apply(int)} on whole levels.
     *
     * @param level a grey level, 0 to 255
     * @return the normalised value
     */
    public float apply(float level) {
        return (level / 255f - mean) / std;
    }

    /** The normalised value of each of the 256 byte values, indexed by the unsigned byte. */
    public float[] table() {
        float[] table = new float[256];
        for (int b = 0; b < 256; b++) table[b] = apply(b);
        return table;
    }
}
