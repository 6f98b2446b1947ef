package dev.isthmus.backend.cuda;

import java.util.Locale;

/** How the CUDA backend picks a cuDNN convolution algorithm for each new shape. */
public enum AlgorithmSearch {
    /**
     * Runs every applicable algorithm once ({@code cudnnFindConvolution*Algorithm}) and keeps the
     * fastest: slower first step per shape, faster training (PyTorch's {@code cudnn.benchmark = True}).
     */
    FIND,
    /** Asks cuDNN's heuristics ({@code cudnnGet*Algorithm_v7}) without running anything (PyTorch's default). */
    HEURISTIC;

    /**
     * Parses "find" or "heuristic" (any case); the message names the accepted values.
     *
     * @param text the option's value
     * @return the search
     */
    public static AlgorithmSearch parse(String text) {
        for (AlgorithmSearch search : values()) {
            if (search.name().equalsIgnoreCase(text.strip())) return search;
        }
        throw new IllegalArgumentException("unknown cuDNN algorithm search '" + text + "'; choose find or heuristic");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
