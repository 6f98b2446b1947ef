package dev.isthmus.bench;

import dev.isthmus.nn.Models;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shapes the benchmarks run, by name, at batch size 1 (a {@link Workload} sets the batch):
 * layers of the lesson's three models, their blocks, and a few larger shapes that show where a
 * backend's throughput saturates. Also the layer lists of whole models, for a training step's cost.
 */
public final class Workloads {

    /** The convolutions and matrix products of a network or block, in state-dict order, at batch 1. */
    public record Layers(List<ConvShape> convs, List<LinearShape> linears) {
        public Layers {
            convs = List.copyOf(convs);
            linears = List.copyOf(linears);
        }

        /** Forward FLOPs of all convolutions and matrix products; pooling, activations and the loss are not counted. */
        public long forwardFlops(int batch) {
            long total = 0;
            for (ConvShape conv : convs) total += conv.withBatch(batch).flops();
            for (LinearShape linear : linears) total += linear.withBatch(batch).flops();
            return total;
        }

        /**
         * Forward plus backward of a block: every conv and linear layer also computes its input and
         * weight gradients, each as costly as its forward.
         */
        public long trainingFlops(int batch) {
            return 3 * forwardFlops(batch);
        }

        /**
         * Forward plus backward of a whole network: as {@link #trainingFlops}, except that the first
         * layer computes no gradient for the images (they need none, as in PyTorch).
         */
        public long stepFlops(int batch) {
            return trainingFlops(batch) - convs.getFirst().withBatch(batch).flops();
        }
    }

    private static final Map<String, ConvShape> CONVS = new LinkedHashMap<>();
    private static final Map<String, PoolShape> POOLS = new LinkedHashMap<>();
    private static final Map<String, LinearShape> LINEARS = new LinkedHashMap<>();

    static {
        CONVS.put("cnn.conv1", ConvShape.of(1, 1, 28, 10, 5, 0));
        CONVS.put("cnn.conv2", ConvShape.of(1, 10, 12, 20, 5, 0));
        CONVS.put("inception.incep1.branch1x1", ConvShape.of(1, 10, 12, 16, 1, 0));
        CONVS.put("inception.incep1.branch5x5_2", ConvShape.of(1, 16, 12, 24, 5, 2));
        CONVS.put("inception.incep1.branch3x3_2", ConvShape.of(1, 16, 12, 24, 3, 1));
        CONVS.put("inception.incep1.branch3x3_3", ConvShape.of(1, 24, 12, 24, 3, 1));
        CONVS.put("inception.conv2", ConvShape.of(1, 88, 12, 20, 5, 0));
        CONVS.put("resnet.rblock1.conv1", ConvShape.of(1, 16, 12, 16, 3, 1));
        CONVS.put("resnet.conv1", ConvShape.of(1, 1, 28, 16, 5, 0));
        CONVS.put("resnet.conv2", ConvShape.of(1, 16, 12, 32, 5, 0));
        CONVS.put("resnet.rblock2.conv1", ConvShape.of(1, 32, 4, 32, 3, 1));
        CONVS.put("large.conv64_3x3", ConvShape.of(1, 64, 64, 64, 3, 1));

        POOLS.put("cnn.pool1", new PoolShape(1, 10, 24, 24, 2, 2));
        POOLS.put("cnn.pool2", new PoolShape(1, 20, 8, 8, 2, 2));
        POOLS.put("large.pool64", new PoolShape(1, 64, 64, 64, 2, 2));

        LINEARS.put("cnn.fc", new LinearShape(1, 320, 10));
        LINEARS.put("inception.fc", new LinearShape(1, 1408, 10));
        LINEARS.put("large.fc1024", new LinearShape(1, 1024, 1024));
    }

    private Workloads() {
    }

    public static ConvShape conv(String workload) {
        Workload w = Workload.parse(workload);
        return lookup(CONVS, "convolution", w).withBatch(w.batch());
    }

    public static PoolShape pool(String workload) {
        Workload w = Workload.parse(workload);
        PoolShape base = lookup(POOLS, "pooling", w);
        return new PoolShape(w.batch(), base.c(), base.h(), base.w(), base.kernel(), base.stride());
    }

    public static LinearShape linear(String workload) {
        Workload w = Workload.parse(workload);
        return lookup(LINEARS, "linear", w).withBatch(w.batch());
    }

    /** Layer names of every known single-op shape, for tests and listings. */
    public static List<String> layerNames() {
        List<String> names = new ArrayList<>(CONVS.keySet());
        names.addAll(POOLS.keySet());
        names.addAll(LINEARS.keySet());
        return names;
    }

    private static <T> T lookup(Map<String, T> shapes, String kind, Workload workload) {
        T shape = shapes.get(workload.name());
        if (shape == null) {
            throw new IllegalArgumentException("no " + kind + " workload named '" + workload.name() + "'; known: "
                    + String.join(", ", shapes.keySet()));
        }
        return shape;
    }

    /** The lesson's InceptionA on {@code in} channels of size×size, branches in state-dict order. */
    public static Layers inceptionBlock(int in, int size) {
        return new Layers(List.of(
                ConvShape.of(1, in, size, 16, 1, 0),   // branch1x1
                ConvShape.of(1, in, size, 16, 1, 0),   // branch5x5_1
                ConvShape.of(1, 16, size, 24, 5, 2),   // branch5x5_2
                ConvShape.of(1, in, size, 16, 1, 0),   // branch3x3_1
                ConvShape.of(1, 16, size, 24, 3, 1),   // branch3x3_2
                ConvShape.of(1, 24, size, 24, 3, 1),   // branch3x3_3
                ConvShape.of(1, in, size, 24, 1, 0)),  // branch_pool (after a 3×3 average pool)
                List.of());
    }

    /** The lesson's residual block: two 3×3 convolutions of {@code channels}, padding 1. */
    public static Layers residualBlock(int channels, int size) {
        return new Layers(List.of(ConvShape.of(1, channels, size, channels, 3, 1),
                ConvShape.of(1, channels, size, channels, 3, 1)), List.of());
    }

    /** The blocks benchmarked on their own: their input channels and size inside their model. */
    public static Layers block(String name) {
        return switch (name) {
            case "inception.incep1" -> inceptionBlock(10, 12);
            case "inception.incep2" -> inceptionBlock(20, 4);
            case "resnet.rblock1" -> residualBlock(16, 12);
            case "resnet.rblock2" -> residualBlock(32, 4);
            default -> throw new IllegalArgumentException("no block workload named '" + name
                    + "'; known: inception.incep1, inception.incep2, resnet.rblock1, resnet.rblock2");
        };
    }

    /** Every convolution and linear layer of one of the models (see {@code Models}), at batch 1; resnet-bn's convolutions have no bias. */
    public static Layers model(String id) {
        List<ConvShape> convs = new ArrayList<>();
        List<LinearShape> linears = new ArrayList<>();
        switch (id) {
            case "cnn" -> {
                convs.add(ConvShape.of(1, 1, 28, 10, 5, 0));
                convs.add(ConvShape.of(1, 10, 12, 20, 5, 0));
                linears.add(new LinearShape(1, 320, 10));
            }
            case "inception" -> {
                convs.add(ConvShape.of(1, 1, 28, 10, 5, 0));
                convs.addAll(inceptionBlock(10, 12).convs());
                convs.add(ConvShape.of(1, 88, 12, 20, 5, 0));
                convs.addAll(inceptionBlock(20, 4).convs());
                linears.add(new LinearShape(1, 1408, 10));
            }
            case "resnet" -> {
                convs.add(ConvShape.of(1, 1, 28, 16, 5, 0));
                convs.addAll(residualBlock(16, 12).convs());
                convs.add(ConvShape.of(1, 16, 12, 32, 5, 0));
                convs.addAll(residualBlock(32, 4).convs());
                linears.add(new LinearShape(1, 512, 10));
            }
            case "resnet-bn" -> {
                convs.add(ConvShape.of(1, 1, 28, 32, 3, 1));
                convs.addAll(residualBlock(32, 14).convs());
                convs.add(ConvShape.of(1, 32, 14, 64, 3, 1));
                convs.addAll(residualBlock(64, 7).convs());
                linears.add(new LinearShape(1, 64, 10));
            }
            default -> throw new IllegalArgumentException("unknown model '" + id + "'; choose one of: " + String.join(", ", Models.ids()));
        }
        return new Layers(convs, linears);
    }
}
