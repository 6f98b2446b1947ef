package dev.isthmus.compare;

import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.tensor.Shape;

/**
 * The tie-aware view of a max-pooling input gradient. Where a window holds several equal maxima (MNIST's
 * flat background gives many), cuDNN documents only that the window's gradient goes to one of them, while
 * the reference gives it to the first (row-major). Element by element, two correct backends may then
 * disagree. What is compared instead: the gradient mass of each group of tied maxima (positions joined
 * when they are maxima of one window, transitively across overlapping windows), placed on the group's
 * first position, with every other position compared as it is. A gradient that leaks outside the maxima,
 * or a group that receives more or less than its windows' gradient, still differs.
 */
public final class MaxPoolTies {
    /** For each input position, the first position of its tie group (itself when it has no tie). */
    private final int[] group;
    private final int tiedWindows;
    private final int windows;

    private MaxPoolTies(int[] group, int tiedWindows, int windows) {
        this.group = group;
        this.tiedWindows = tiedWindows;
        this.windows = windows;
    }

    /**
     * The tie groups of a pooling input [N, C, H, W], of one or more copies of it together (two backends'
     * inputs may differ in the last bit, and so in their ties); windows holding NaN have no ties.
     */
    public static MaxPoolTies of(Shape input, Pool2dSpec spec, float[]... inputs) {
        Shape output = spec.outputShape("maxPool2d", input);
        int planes = input.dim(0) * input.dim(1), height = input.dim(2), width = input.dim(3);
        int outH = output.dim(2), outW = output.dim(3);
        int[] parent = new int[planes * height * width];
        for (int i = 0; i < parent.length; i++) parent[i] = i;
        int tied = 0;
        int[] maxima = new int[spec.kernelH() * spec.kernelW()];
        for (int plane = 0; plane < planes; plane++) {
            int base = plane * height * width;
            for (int p = 0; p < outH; p++) {
                for (int q = 0; q < outW; q++) {
                    boolean windowTied = false;
                    for (float[] x : inputs) {
                        int count = maxima(x, base, width, height, spec, p, q, maxima);
                        for (int k = 1; k < count; k++) union(parent, maxima[0], maxima[k]);
                        windowTied |= count > 1;
                    }
                    if (windowTied) tied++;
                }
            }
        }
        int[] group = new int[parent.length];
        for (int i = 0; i < parent.length; i++) group[i] = find(parent, i);
        return new MaxPoolTies(group, tied, planes * outH * outW);
    }

    /** Writes the window's maximum positions (row-major) into {@code into}; returns how many. */
    private static int maxima(float[] x, int base, int width, int height, Pool2dSpec spec, int p, int q, int[] into) {
        float max = Float.NEGATIVE_INFINITY;
        int count = 0;
        for (int r = 0; r < spec.kernelH(); r++) {
            int h = p * spec.strideH() - spec.padH() + r;
            if (h < 0 || h >= height) continue;
            for (int s = 0; s < spec.kernelW(); s++) {
                int w = q * spec.strideW() - spec.padW() + s;
                if (w < 0 || w >= width) continue;
                int index = base + h * width + w;
                float value = x[index];
                if (Float.isNaN(value)) return 0; // NaN propagates: no tie to speak of
                if (value > max) {
                    max = value;
                    count = 0;
                }
                if (value == max) into[count++] = index;
            }
        }
        return count;
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    /** Joins two groups under the smaller index, so that a group's root is its first position. */
    private static void union(int[] parent, int a, int b) {
        int rootA = find(parent, a), rootB = find(parent, b);
        if (rootA < rootB) parent[rootB] = rootA;
        else if (rootB < rootA) parent[rootA] = rootB;
    }

    /** The gradient with each tie group's mass summed onto the group's first position (zeros elsewhere in the group). */
    public float[] canonical(float[] gradInput) {
        if (gradInput.length != group.length) {
            throw new IllegalArgumentException("gradient has " + gradInput.length + " values, the pooling input " + group.length);
        }
        double[] sums = new double[group.length];
        for (int i = 0; i < group.length; i++) sums[group[i]] += gradInput[i];
        float[] canonical = new float[group.length];
        for (int i = 0; i < group.length; i++) canonical[i] = group[i] == i ? (float) sums[i] : 0f;
        return canonical;
    }

    /** How many windows have more than one maximum. */
    public int tiedWindows() {
        return tiedWindows;
    }

    /** How many windows there are. */
    public int windows() {
        return windows;
    }

    /** How many positions differ between two gradients (bit for bit): the positions cuDNN routed elsewhere, and their maxima. */
    public static int differingPositions(float[] a, float[] b) {
        int count = 0;
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            if (Float.compare(a[i], b[i]) != 0) count++;
        }
        return count;
    }

    /** "max-pool ties: 3 positions differ, all within groups of tied maxima (17 of 1,440 windows have ties); ...". */
    public String describeRouting(float[] a, float[] b) {
        return String.format(java.util.Locale.ROOT, "max-pool ties: %,d positions differ element by element, all inside groups of tied"
                + " maxima (%,d of %,d windows have ties): the gradient went to another of the tied maxima, which cuDNN allows;"
                + " compared per group of tied maxima", differingPositions(a, b), tiedWindows, windows);
    }
}
