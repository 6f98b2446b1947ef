package dev.isthmus.backend.reference;

import java.util.EnumMap;

/**
 * Per-thread work arrays, reused from call to call so a training step allocates no Java garbage
 * in its hot loops. Contents are left over from earlier use: a kernel writes (or zeroes) what it
 * reads. One instance per thread ({@link #get()}), so the common pool's workers never share one.
 */
final class Scratch {
    /** What a buffer is for; two buffers of one kernel must use different slots. */
    enum Slot { INPUT, COLUMNS, COLUMNS_TRANSPOSED, COLUMNS_BLOCK, OUTPUT, GRAD_OUTPUT, GRAD_OUTPUT_BLOCK, WEIGHT_GRAD }

    private static final ThreadLocal<Scratch> PER_THREAD = ThreadLocal.withInitial(Scratch::new);

    private final EnumMap<Slot, float[]> vectors = new EnumMap<>(Slot.class);
    private final EnumMap<Slot, float[][]> matrices = new EnumMap<>(Slot.class);
    private int[] indices = new int[0];

    static Scratch get() {
        return PER_THREAD.get();
    }

    /** An array of at least {@code length} floats. */
    float[] vector(Slot slot, int length) {
        float[] v = vectors.get(slot);
        if (v == null || v.length < length) {
            v = new float[length];
            vectors.put(slot, v);
        }
        return v;
    }

    /** An int array of at least {@code length} entries (pooling's argmax positions). */
    int[] indices(int length) {
        if (indices.length < length) indices = new int[length];
        return indices;
    }

    /** At least {@code rows} rows of at least {@code columns} floats each. */
    float[][] matrix(Slot slot, int rows, int columns) {
        float[][] m = matrices.get(slot);
        if (m == null || m.length < rows || (m.length > 0 && m[0].length < columns)) {
            m = new float[Math.max(rows, m == null ? 0 : m.length)][Math.max(columns, m == null || m.length == 0 ? 0 : m[0].length)];
            matrices.put(slot, m);
        }
        return m;
    }
}
