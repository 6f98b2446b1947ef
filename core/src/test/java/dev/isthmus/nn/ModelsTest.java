package dev.isthmus.nn;

import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.tensor.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** State-dict names and shapes must be exactly those of the lesson's PyTorch modules. */
class ModelsTest {
    private final ReferenceBackend backend = new ReferenceBackend();

    @AfterEach
    void close() {
        backend.close();
    }

    private static Map<String, Shape> shapes(Model model) {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        model.stateDict().forEach((name, p) -> shapes.put(name, p.shape()));
        return shapes;
    }

    @Test
    void cnnHasTheLessonsStateDict() {
        try (Model model = Models.CNN.create(backend)) {
            Map<String, Shape> expected = new LinkedHashMap<>();
            expected.put("conv1.weight", Shape.of(10, 1, 5, 5));
            expected.put("conv1.bias", Shape.of(10));
            expected.put("conv2.weight", Shape.of(20, 10, 5, 5));
            expected.put("conv2.bias", Shape.of(20));
            expected.put("fc.weight", Shape.of(10, 320));
            expected.put("fc.bias", Shape.of(10));
            assertEquals(expected, shapes(model));
            assertEquals(250 + 10 + 5000 + 20 + 3200 + 10, model.parameterCount());
            assertEquals(Shape.of(64, 10), model.outputShape(64));
        }
    }

    @Test
    void inceptionNetHasTheLessonsStateDict() {
        try (Model model = Models.INCEPTION.create(backend)) {
            Map<String, Shape> shapes = shapes(model);
            assertEquals(Shape.of(10, 1, 5, 5), shapes.get("conv1.weight"));
            assertEquals(Shape.of(20, 88, 5, 5), shapes.get("conv2.weight"));
            assertEquals(Shape.of(16, 10, 1, 1), shapes.get("incep1.branch1x1.weight"));
            assertEquals(Shape.of(16, 10, 1, 1), shapes.get("incep1.branch5x5_1.weight"));
            assertEquals(Shape.of(24, 16, 5, 5), shapes.get("incep1.branch5x5_2.weight"));
            assertEquals(Shape.of(16, 10, 1, 1), shapes.get("incep1.branch3x3_1.weight"));
            assertEquals(Shape.of(24, 16, 3, 3), shapes.get("incep1.branch3x3_2.weight"));
            assertEquals(Shape.of(24, 24, 3, 3), shapes.get("incep1.branch3x3_3.weight"));
            assertEquals(Shape.of(24, 10, 1, 1), shapes.get("incep1.branch_pool.weight"));
            assertEquals(Shape.of(24, 20, 1, 1), shapes.get("incep2.branch_pool.weight"));
            assertEquals(Shape.of(24), shapes.get("incep2.branch_pool.bias"));
            assertEquals(Shape.of(10, 1408), shapes.get("fc.weight"));
            // 2 convs + 2×7 inception convs + fc, each with weight and bias.
            assertEquals(2 * (2 + 14 + 1), shapes.size());
            assertEquals(Shape.of(3, 10), model.outputShape(3));
        }
    }

    @Test
    void residualNetHasTheLessonsStateDict() {
        try (Model model = Models.RESNET.create(backend)) {
            Map<String, Shape> shapes = shapes(model);
            assertEquals(Shape.of(16, 1, 5, 5), shapes.get("conv1.weight"));
            assertEquals(Shape.of(32, 16, 5, 5), shapes.get("conv2.weight"));
            assertEquals(Shape.of(16, 16, 3, 3), shapes.get("rblock1.conv1.weight"));
            assertEquals(Shape.of(16, 16, 3, 3), shapes.get("rblock1.conv2.weight"));
            assertEquals(Shape.of(32, 32, 3, 3), shapes.get("rblock2.conv2.weight"));
            assertEquals(Shape.of(10, 512), shapes.get("fc.weight"));
            assertEquals(14, shapes.size());
            assertEquals(Shape.of(2, 10), model.outputShape(2));
        }
    }

    @Test
    void initialisationFollowsPyTorchBoundsAndIsSeeded() {
        try (Model a = Models.CNN.create(backend, 7); Model b = Models.CNN.create(backend, 7); Model c = Models.CNN.create(backend, 8)) {
            for (String name : a.stateDict().keySet()) {
                float[] values = a.stateDict().get(name).value().toArray();
                double bound = 1 / Math.sqrt(a.stateDict().get(name).fanIn());
                double maxAbs = 0;
                for (float v : values) maxAbs = Math.max(maxAbs, Math.abs(v));
                assertTrue(maxAbs <= bound, name + " exceeds ±1/sqrt(fan_in)");
                assertTrue(maxAbs > 0.5 * bound, name + " does not spread over its range");
                assertArrayEquals(values, b.stateDict().get(name).value().toArray(), name + " differs for one seed");
            }
            assertNotEquals(a.stateDict().get("fc.weight").value().toArray()[0], c.stateDict().get("fc.weight").value().toArray()[0]);
            // fan_in: conv1 1·5·5 = 25, conv2 10·5·5 = 250, fc 320.
            assertEquals(25, a.stateDict().get("conv1.weight").fanIn());
            assertEquals(250, a.stateDict().get("conv2.bias").fanIn());
            assertEquals(320, a.stateDict().get("fc.weight").fanIn());
        }
    }

    @Test
    void unknownModelNameListsTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Models.byId("vgg"));
        assertTrue(e.getMessage().contains("cnn, inception, resnet"), e.getMessage());
    }

    @Test
    void aMisassembledNetworkIsRejectedNamingTheLayer() {
        Sequential broken = new Sequential()
                .add("conv1", new Conv2d(backend, 1, 10, 5, 0))
                .add("flatten", new Flatten())
                .add("fc", new Linear(backend, 999, 10));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Model("broken", backend, broken, Models.MNIST_SAMPLE));
        assertTrue(e.getMessage().contains("layer 'fc'"), e.getMessage());
    }
}
