package dev.isthmus.bench;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.nn.StepScope;
import dev.isthmus.tensor.Memory;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * The Java-side work every op does besides its arithmetic, backend-independent and GPU-free:
 * validating shapes and computing the output shape, wrapping the result in a {@link Tensor}, and
 * tracking it in the step's {@link StepScope}. Run with {@code -prof gc} to see the bytes per op.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class BookkeepingBenchmark {
    private static final Memory.Releaser NOTHING_TO_FREE = (segment, bytes) -> { };

    private final ConvShape conv = Workloads.conv("cnn.conv2/b64");
    private final Shape inputShape = conv.input();
    private final Shape weightShape = conv.weight();
    private final Shape outputShape = conv.output();
    private final Conv2dSpec spec = conv.spec();
    private Backend tag;
    private Arena arena;
    private MemorySegment block;

    @Setup(Level.Trial)
    public void open() {
        tag = new ReferenceBackend();
        arena = Arena.ofConfined();
        block = arena.allocate(outputShape.bytes());
    }

    @TearDown(Level.Trial)
    public void close() {
        arena.close();
        tag.close();
    }

    @Benchmark
    public Shape convOutputShape() {
        return spec.outputShape(inputShape, weightShape);
    }

    @Benchmark
    public boolean wrapAndCloseTensor() {
        Tensor tensor = new Tensor(outputShape, tag, new Memory(block, outputShape.bytes(), NOTHING_TO_FREE));
        tensor.close();
        return tensor.isClosed();
    }

    @Benchmark
    public boolean trackInStepScope() {
        Tensor tensor = new Tensor(outputShape, tag, new Memory(block, outputShape.bytes(), NOTHING_TO_FREE));
        try (StepScope scope = new StepScope()) {
            scope.track(tensor);
        }
        return tensor.isClosed();
    }

    public static OpCost cost(String method, String workload) {
        return OpCost.NONE;
    }
}
