package dev.isthmus.backend.cpu;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The cpu backend's own max pooling 2×2 against the reference, bit for bit, forward and backward: on odd sizes (a
 * last row and column no window covers, rows that split unevenly over the threads), small ones that stay on the
 * calling thread and large ones that split, with ties, NaN, −0 and −∞ in the windows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CpuMaxPoolTest {
    private CpuBackend cpu;
    private ReferenceBackend reference;

    @BeforeAll
    void open() {
        cpu = CpuBackends.openOrSkip();
        reference = new ReferenceBackend();
    }

    @AfterAll
    void close() {
        if (cpu != null) cpu.close();
        if (reference != null) reference.close();
    }

    /** Values from a few levels (so windows tie often) with NaN, −0, 0 and −∞ sprinkled in. */
    private static float[] awkward(long seed, int count) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[count];
        float[] specials = {Float.NaN, -0f, 0f, Float.NEGATIVE_INFINITY};
        for (int i = 0; i < count; i++) {
            values[i] = random.nextInt(50) == 0 ? specials[random.nextInt(specials.length)] : random.nextInt(7) - 3;
        }
        return values;
    }

    private static float[] pool(Backend backend, Shape shape, float[] x, float[] dy, boolean backward) {
        Pool2dSpec spec = Pool2dSpec.of(2);
        try (Tensor input = backend.fromArray(shape, x); Tensor output = backend.maxPool2d(input, spec)) {
            if (!backward) return backend.toArray(output);
            try (Tensor gradOutput = backend.fromArray(output.shape(), dy);
                 Tensor gradInput = backend.maxPool2dBackward(input, output, gradOutput, spec)) {
                return backend.toArray(gradInput);
            }
        }
    }

    @ParameterizedTest(name = "[{0}, {1}, {2}, {3}]")
    @CsvSource({"1, 1, 2, 2", "2, 3, 5, 7", "3, 2, 9, 4", "64, 10, 24, 24", "7, 11, 25, 23"})
    void maxPool2x2MatchesTheReferenceBitForBit(int n, int c, int h, int w) {
        Shape shape = Shape.of(n, c, h, w);
        float[] x = awkward(n * 1000L + h, Math.toIntExact(shape.numel()));
        int outputs = n * c * (h / 2) * (w / 2);
        float[] dy = awkward(w * 1000L + c, outputs);
        dy[0] = -0f;
        assertBitwiseEqual(pool(reference, shape, x, dy, false), pool(cpu, shape, x, dy, false));
        assertBitwiseEqual(pool(reference, shape, x, dy, true), pool(cpu, shape, x, dy, true));
    }

    private static void assertBitwiseEqual(float[] expected, float[] actual) {
        int[] e = new int[expected.length], a = new int[actual.length];
        for (int i = 0; i < expected.length; i++) e[i] = Float.floatToRawIntBits(expected[i]);
        for (int i = 0; i < actual.length; i++) a[i] = Float.floatToRawIntBits(actual[i]);
        assertArrayEquals(e, a);
    }
}
