package dev.isthmus.backend.reference;

/**
 * Which outputs of a sliding window see a given kernel tap inside the image. Output o reads input
 * index {@code o·stride + offset} (offset = tap position − padding); the outputs for which that
 * index lies in [0, size) form one contiguous range, so loops can run over it without testing
 * every position.
 */
final class TapRange {
    private TapRange() {
    }

    /** Smallest output o ≥ 0 with o·stride + offset ≥ 0. */
    static int first(int offset, int stride) {
        return offset >= 0 ? 0 : (-offset + stride - 1) / stride;
    }

    /** One past the largest output o < outputs with o·stride + offset < size; never below {@code first}. */
    static int end(int offset, int stride, int size, int outputs, int first) {
        int end = size - offset <= 0 ? 0 : (size - offset + stride - 1) / stride;
        return Math.max(first, Math.min(outputs, end));
    }
}
