package dev.isthmus.backend.vector;

import dev.isthmus.reliability.JavaProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The vector backend needs the incubator module only where it is asked for: a JVM started without
 * {@code --add-modules jdk.incubator.vector} gets a one-line refusal naming the flag (and no incubator warning),
 * one started with it opens the backend and runs a convolution.
 */
class VectorBackendAvailabilityTest {

    /** Child JVM: opens the backend and runs one small convolution, or prints why it cannot. */
    public static void main(String[] args) {
        try (VectorBackend backend = VectorBackend.open();
             var x = backend.fromArray(dev.isthmus.tensor.Shape.of(1, 1, 3, 3), new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
             var w = backend.fromArray(dev.isthmus.tensor.Shape.of(1, 1, 2, 2), new float[] {1, 0, 0, 1});
             var y = backend.conv2d(x, w, null, dev.isthmus.backend.Conv2dSpec.defaults())) {
            System.out.println("opened, " + backend.lanes() + " lanes, y = " + java.util.Arrays.toString(y.toArray()));
        } catch (IllegalStateException e) {
            System.out.println(e.getMessage());
        }
    }

    @Test
    void withoutTheIncubatorModuleItRefusesNamingTheFlag(@TempDir Path logs) {
        JavaProcess child = JavaProcess.start(logs, List.of("-Xmx256m"), VectorBackendAvailabilityTest.class.getName(), List.of(), Map.of(), Map.of());
        assertEquals(0, child.waitFor(60), child.stderr());
        assertEquals("vector backend not usable: the Vector API is not in this JVM: start java with --add-modules jdk.incubator.vector",
                child.stdout().strip());
        assertFalse(child.stderr().contains("incubator"), child.stderr());
    }

    @Test
    void withTheIncubatorModuleItOpensAndComputes(@TempDir Path logs) {
        JavaProcess child = JavaProcess.start(logs, List.of("-Xmx256m", "--add-modules=jdk.incubator.vector"),
                VectorBackendAvailabilityTest.class.getName(), List.of(), Map.of(), Map.of());
        assertEquals(0, child.waitFor(60), child.stderr());
        // y[oh][ow] = x[oh][ow] + x[oh+1][ow+1]
        assertTrue(child.stdout().strip().endsWith("y = [6.0, 8.0, 12.0, 14.0]"), child.stdout());
        assertTrue(child.stderr().contains("WARNING: Using incubator modules: jdk.incubator.vector"), child.stderr());
    }
}
