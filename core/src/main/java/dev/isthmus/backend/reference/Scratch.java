package dev.isthmus.backend.reference;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Per-thread work arrays, reused from call to call so a training step allocates no Java garbage
 * in its hot loops. Contents are left over from earlier use: a kernel writes (or zeroes) what it
 * reads. One instance per thread ({@link #get()}), so the common pool's workers never share one.
 */
final class Scratch {
    /** What a buffer is for; two buffers of one kernel must use different slots. */
    enum Slot { INPUT, COLUMNS, COLUMNS_TRANSPOSED, COLUMNS_BLOCK, OUTPUT, GRAD_OUTPUT, GRAD_OUTPUT_BLOCK, WEIGHT_GRAD }

    /**
     * Keyed by the thread itself rather than a ThreadLocal: the common pool's workers erase their
     * thread-locals after each top-level task, which made these arrays be allocated afresh on almost every
     * op (about 1 GB of garbage per CNN epoch). Weak keys let a finished thread's arrays go.
     */
    private static final Map<Thread, Scratch> PER_THREAD = Collections.synchronizedMap(new WeakHashMap<>());

    private final EnumMap<Slot, float[]> vectors = new EnumMap<>(Slot.class);
    private final EnumMap<Slot, float[][]> matrices = new EnumMap<>(Slot.class);
    private int[] indices = new int[0];

    static Scratch get() {
        return PER_THREAD.computeIfAbsent(Thread.currentThread(), thread -> new Scratch());
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
