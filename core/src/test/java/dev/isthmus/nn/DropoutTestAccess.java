package dev.isthmus.nn;

import dev.isthmus.backend.Backend;

/** {@link DropoutTest}'s step, for tests of other packages. */
public final class DropoutTestAccess {
    /** Elements of the test tensor. */
    public static final int SIZE = 4 * 3 * 10 * 10;

    private DropoutTestAccess() {
    }

    /** One training forward and backward; returns output then input gradient. */
    public static float[][] step(Backend backend, Dropout dropout, float[] x, float[] dy) {
        return DropoutTest.step(backend, dropout, x, dy);
    }
}
