package dev.isthmus.bench;

import dev.isthmus.tensor.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The FLOP and byte counts the report divides by: checked against counts worked out by hand. */
class OpCostTest {

    @Test
    void convolutionFlopsAreTwoTimesNKCRSPQ() {
        ConvShape conv1 = Workloads.conv("cnn.conv1/b64");
        assertEquals(Shape.of(64, 10, 24, 24), conv1.output());
        assertEquals(2L * 64 * 10 * 1 * 5 * 5 * 24 * 24, conv1.flops()); // 18,432,000
        assertEquals(18_432_000L, conv1.flops());

        // Padding keeps 12×12: 2·64·24·16·5·5·12·12.
        assertEquals(2L * 64 * 24 * 16 * 25 * 144, Workloads.conv("inception.incep1.branch5x5_2/b64").flops());

        // 64×64×64 3×3 at batch 32: about 9.66 GFLOP per pass.
        assertEquals(9_663_676_416L, Workloads.conv("large.conv64_3x3/b32").flops());
    }

    @Test
    void strideShrinksTheOutputAndTheCount() {
        ConvShape strided = new ConvShape(2, 3, 9, 9, 4, 3, 3, 2, 0);
        assertEquals(Shape.of(2, 4, 4, 4), strided.output());
        assertEquals(2L * 2 * 4 * 3 * 3 * 3 * 4 * 4, strided.flops());
    }

    @Test
    void linearFlopsAreTwoTimesNInOut() {
        assertEquals(2L * 256 * 320 * 10, Workloads.linear("cnn.fc/b256").flops());
    }

    @Test
    void poolingCountsTheLeastMemoryTraffic() {
        PoolShape pool1 = Workloads.pool("cnn.pool1/b64");
        assertEquals(Shape.of(64, 10, 12, 12), pool1.output());
        long in = 64L * 10 * 24 * 24;
        long out = 64L * 10 * 12 * 12;
        assertEquals((in + out) * 4, pool1.forwardBytes());
        assertEquals((2 * in + 2 * out) * 4, pool1.backwardBytes());
    }

    @Test
    void theCnnsTrainingStepCountsEveryConvAndLinearThreeTimesButTheImagesGradient() {
        // Per sample: conv1 2·10·1·25·24·24 = 288,000; conv2 2·20·10·25·8·8 = 640,000; fc 2·320·10 = 6,400.
        assertEquals(934_400L, Workloads.model("cnn").forwardFlops(1));
        // Forward, input gradient and weight gradient of each, less conv1's input gradient (the images need none).
        assertEquals((3 * 934_400L - 288_000L) * 64, TrainingStepBenchmark.cost("step", "cnn/b64").flops());
        // A block's input is an activation: all three passes of each conv count.
        assertEquals(3 * Workloads.residualBlock(16, 12).forwardFlops(64), BlockBenchmark.cost("forwardBackward", "resnet.rblock1/b64").flops());
    }

    @Test
    void workloadNamesCarryTheBatch() {
        assertEquals(new Workload("cnn.conv1", 256), Workload.parse("cnn.conv1/b256"));
        assertEquals("cnn.conv1/b256", Workload.parse("cnn.conv1/b256").toString());
        assertThrows(IllegalArgumentException.class, () -> Workload.parse("cnn.conv1"));
        assertThrows(IllegalArgumentException.class, () -> Workload.parse("cnn.conv1/bx"));
        assertThrows(IllegalArgumentException.class, () -> Workload.parse("cnn.conv1/b0"));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> Workloads.conv("cnn.conv9/b1"));
        assertEquals(true, unknown.getMessage().contains("cnn.conv1"), unknown.getMessage());
    }
}
