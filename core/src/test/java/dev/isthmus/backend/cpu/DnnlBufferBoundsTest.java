package dev.isthmus.backend.cpu;

import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.tensor.Shape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * oneDNN's convolutions write only inside the buffers they are given: each buffer sits between guard bytes, and
 * every guard byte is unchanged after the primitive ran, for both layout variants ({@link TunedConvolution}) and
 * all three directions, on the lesson networks' shapes (at the batch split's part sizes) and on odd ones. A kernel
 * that stores past its output corrupts the C heap that tensors live on, far from the cause.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DnnlBufferBoundsTest {
    private static final long GUARD = 4096;
    private static final byte SENTINEL = (byte) 0xA5;

    private DnnlEngine engine;

    record Case(String name, Shape input, Shape weight, Conv2dSpec spec) {
        @Override
        public String toString() {
            return name;
        }
    }

    @BeforeAll
    void open() {
        CpuBackends.openOrSkip().close();
        engine = new DnnlEngine();
    }

    @AfterAll
    void close() {
        if (engine != null) engine.close();
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("cnn conv1, part of 32", Shape.of(32, 1, 28, 28), Shape.of(10, 1, 5, 5), Conv2dSpec.defaults()),
                new Case("cnn conv2, part of 32", Shape.of(32, 10, 12, 12), Shape.of(20, 10, 5, 5), Conv2dSpec.defaults()),
                new Case("cnn conv1, last part of 16", Shape.of(16, 1, 28, 28), Shape.of(10, 1, 5, 5), Conv2dSpec.defaults()),
                new Case("resnet 3x3 pad 1", Shape.of(32, 16, 12, 12), Shape.of(16, 16, 3, 3), new Conv2dSpec(1, 1, 1, 1, 1, 1)),
                new Case("odd: 3→5, 7×9, stride 2", Shape.of(3, 3, 7, 9), Shape.of(5, 3, 3, 2), new Conv2dSpec(2, 2, 0, 1, 1, 1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyDirectionAndLayoutWritesOnlyItsOutput(Case c) {
        Shape output = c.spec().outputShape(c.input(), c.weight());
        for (DnnlConvolution.Direction direction : DnnlConvolution.Direction.values()) {
            for (boolean ownLayouts : new boolean[] {false, true}) {
                for (boolean bias : direction == DnnlConvolution.Direction.FORWARD ? new boolean[] {false, true} : new boolean[] {false}) {
                    try (Arena arena = Arena.ofConfined();
                         DnnlConvolution conv = new DnnlConvolution(engine, direction, c.input(), c.weight(), output, c.spec(), bias, ownLayouts)) {
                        List<MemorySegment> guarded = new ArrayList<>();
                        List<MemorySegment> buffers = new ArrayList<>();
                        for (Shape shape : shapes(direction, c.input(), c.weight(), output, bias)) {
                            MemorySegment whole = arena.allocate(shape.bytes() + 2 * GUARD, 64).fill(SENTINEL);
                            MemorySegment buffer = whole.asSlice(GUARD, shape.bytes());
                            random(buffer, guarded.size());
                            guarded.add(whole);
                            buffers.add(buffer);
                        }
                        conv.execute(buffers.toArray(MemorySegment[]::new));
                        for (int b = 0; b < guarded.size(); b++) {
                            String what = direction + (ownLayouts ? " own layouts (" : " plain layouts (") + conv.implementation()
                                    + "), buffer " + b + (bias ? ", with bias" : "");
                            assertGuards(guarded.get(b), buffers.get(b).byteSize(), what);
                        }
                    }
                }
            }
        }
    }

    /** The buffers in {@link DnnlConvolution#execute}'s order for the direction. */
    private static List<Shape> shapes(DnnlConvolution.Direction direction, Shape input, Shape weight, Shape output, boolean bias) {
        return switch (direction) {
            case FORWARD -> bias ? List.of(input, weight, Shape.of(weight.dim(0)), output) : List.of(input, weight, output);
            case BACKWARD_DATA -> List.of(output, weight, input);
            case BACKWARD_WEIGHTS -> List.of(input, output, weight);
        };
    }

    private static void random(MemorySegment buffer, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (long i = 0; i < buffer.byteSize() / Float.BYTES; i++) {
            buffer.setAtIndex(JAVA_FLOAT_UNALIGNED, i, (float) random.nextDouble(-1, 1));
        }
    }

    private static void assertGuards(MemorySegment whole, long size, String what) {
        for (long i = 0; i < GUARD; i++) {
            assertEquals(SENTINEL, whole.get(JAVA_BYTE, i), what + ": byte " + (GUARD - i) + " before the buffer was written");
            assertEquals(SENTINEL, whole.get(JAVA_BYTE, GUARD + size + i), what + ": byte " + i + " after the buffer's end was written");
        }
    }
}
