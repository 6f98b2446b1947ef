package dev.isthmus.backend.vector;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Per-thread work arrays reused from op to op (contents are left over: a kernel writes what it reads). Keyed by the thread itself, as the reference backend's scratch is,
 * because the common pool's workers erase their thread-locals after each top-level task.
 */
final class WorkArrays {
    /** What an array is for; two arrays one kernel uses at once need different slots. */
    enum Slot { SAMPLE, COLUMNS, PRODUCT, OPERAND }

    private static final Map<Thread, WorkArrays> PER_THREAD = Collections.synchronizedMap(new WeakHashMap<>());

    private final EnumMap<Slot, float[]> arrays = new EnumMap<>(Slot.class);

    static WorkArrays get() {
        return PER_THREAD.computeIfAbsent(Thread.currentThread(), thread -> new WorkArrays());
    }

    /** An array of at least {@code length} floats. */
    float[] floats(Slot slot, int length) {
        float[] a = arrays.get(slot);
        if (a == null || a.length < length) {
            a = new float[length];
            arrays.put(slot, a);
        }
        return a;
    }
}
