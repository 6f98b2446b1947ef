package dev.isthmus.backend.reference;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.backend.CrossEntropy;
import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;
import dev.isthmus.testing.TestTensors;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Times one training step of the lesson's MNIST CNN on the reference backend, op by op: conv
 * 1→10 k5, maxpool 2, relu, conv 10→20 k5, maxpool 2, relu, flatten 320, linear 320→10,
 * cross-entropy, the backward pass of each, and SGD with momentum, at batch 64. Prints ms per
 * step and the projected time of one 60,000-image epoch (938 steps).
 * <p>
 * Wall time suffers when other processes share the cores; the CPU column (all threads) is the
 * steadier measure of the work itself.
 * <p>
 * A tool run by hand, not a test:
 * <pre>
 * ./mvnw -B -q -Disthmus.buildDir=target-ref -pl core -am test-compile
 * $JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED -cp core/target-ref/classes:core/target-ref/test-classes \
 *     dev.isthmus.backend.reference.LessonCnnTiming [warmup steps] [timed steps]
 * </pre>
 */
public final class LessonCnnTiming {
    private static final int BATCH = 64;
    private static final int STEPS_PER_EPOCH = 938;

    private final Backend backend;
    private final Map<String, Long> nanos = new LinkedHashMap<>();
    /** CPU time of the whole process per op: unlike wall time, barely inflated when other processes take the cores. */
    private final Map<String, Long> cpuNanos = new LinkedHashMap<>();
    private final List<Tensor> stepTensors = new ArrayList<>();

    private LessonCnnTiming(Backend backend) {
        this.backend = backend;
    }

    public static void main(String[] args) {
        int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 150;
        int timed = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        try (ReferenceBackend backend = new ReferenceBackend()) {
            LessonCnnTiming timing = new LessonCnnTiming(backend);
            timing.run(warmup, timed);
        }
    }

    private void run(int warmup, int timed) {
        Conv2dSpec conv = Conv2dSpec.defaults();
        Pool2dSpec pool = Pool2dSpec.of(2);
        float[] images = TestTensors.uniform(1, BATCH * 28 * 28);
        int[] labels = new int[BATCH];
        for (int i = 0; i < BATCH; i++) labels[i] = i % 10;
        Tensor[] params = {
                TestTensors.uniform(backend, 2, 10, 1, 5, 5), TestTensors.uniform(backend, 3, 10),
                TestTensors.uniform(backend, 4, 20, 10, 5, 5), TestTensors.uniform(backend, 5, 20),
                TestTensors.uniform(backend, 6, 10, 320), TestTensors.uniform(backend, 7, 10)};
        Tensor[] buffers = new Tensor[params.length];
        for (int i = 0; i < params.length; i++) buffers[i] = backend.zeros(params[i].shape());
        for (Tensor p : params) {
            // Small weights keep the loss finite over hundreds of steps on random data.
            float[] v = p.toArray();
            for (int i = 0; i < v.length; i++) v[i] *= 0.1f;
            try (Tensor scaled = backend.fromArray(p.shape(), v)) {
                backend.copy(scaled, p);
            }
        }

        long start = 0;
        long cpuStart = 0;
        for (int step = 0; step < warmup + timed; step++) {
            if (step == warmup) {
                nanos.clear();
                cpuNanos.clear();
                start = System.nanoTime();
                cpuStart = processCpuNanos();
            }
            Tensor x = time("upload", () -> backend.fromArray(Shape.of(BATCH, 1, 28, 28), images));
            Tensor c1 = time("conv1 forward", () -> backend.conv2d(x, params[0], params[1], conv));
            Tensor p1 = time("pool1 forward", () -> backend.maxPool2d(c1, pool));
            Tensor r1 = time("relu1 forward", () -> backend.relu(p1));
            Tensor c2 = time("conv2 forward", () -> backend.conv2d(r1, params[2], params[3], conv));
            Tensor p2 = time("pool2 forward", () -> backend.maxPool2d(c2, pool));
            Tensor r2 = time("relu2 forward", () -> backend.relu(p2));
            Tensor flat = r2.flatten();
            Tensor logits = time("linear forward", () -> backend.linear(flat, params[4], params[5]));
            CrossEntropy loss = timeLoss(() -> backend.softmaxCrossEntropy(logits, labels));
            Tensor dLogits = loss.gradLogits();
            Tensor dFlat = time("linear backward input", () -> backend.linearBackwardInput(dLogits, params[4]));
            Tensor dW3 = time("linear backward weight", () -> backend.linearBackwardWeight(flat, dLogits));
            Tensor dB3 = time("linear backward bias", () -> backend.linearBackwardBias(dLogits));
            Tensor dP2 = time("relu2 backward", () -> backend.reluBackward(r2, dFlat.view(r2.shape())));
            Tensor dC2 = time("pool2 backward", () -> backend.maxPool2dBackward(c2, p2, dP2, pool));
            Tensor dW2 = time("conv2 backward weight", () -> backend.conv2dBackwardWeight(r1, dC2, params[2].shape(), conv));
            Tensor dB2 = time("conv2 backward bias", () -> backend.conv2dBackwardBias(dC2));
            Tensor dR1 = time("conv2 backward input", () -> backend.conv2dBackwardInput(dC2, params[2], r1.shape(), conv));
            Tensor dP1 = time("relu1 backward", () -> backend.reluBackward(r1, dR1));
            Tensor dC1 = time("pool1 backward", () -> backend.maxPool2dBackward(c1, p1, dP1, pool));
            Tensor dW1 = time("conv1 backward weight", () -> backend.conv2dBackwardWeight(x, dC1, params[0].shape(), conv));
            Tensor dB1 = time("conv1 backward bias", () -> backend.conv2dBackwardBias(dC1));
            time("conv1 backward input", () -> backend.conv2dBackwardInput(dC1, params[0], x.shape(), conv));
            Tensor[] grads = {dW1, dB1, dW2, dB2, dW3, dB3};
            long t0 = System.nanoTime();
            for (int i = 0; i < params.length; i++) {
                backend.sgdMomentumStep(params[i], grads[i], buffers[i], 0.01f, 0.5f, 0f);
            }
            nanos.merge("sgd (6 parameters)", System.nanoTime() - t0, Long::sum);
            long t1 = System.nanoTime();
            stepTensors.forEach(Tensor::close);
            stepTensors.clear();
            nanos.merge("free step tensors", System.nanoTime() - t1, Long::sum);
            if (!Float.isFinite(loss.loss())) throw new IllegalStateException("loss diverged at step " + step);
        }
        double wallMs = (System.nanoTime() - start) / 1e6;
        double cpuMs = (processCpuNanos() - cpuStart) / 1e6;
        for (Tensor p : params) p.close();
        for (Tensor b : buffers) b.close();

        System.out.printf("Lesson CNN, batch %d, %d timed steps after %d warm-up steps, %d threads (common pool %d + caller)%n",
                BATCH, timed, warmup, Parallel.threads(), Parallel.threads() - 1);
        System.out.printf("system load average at the end: %.2f (other processes share these cores)%n",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        double opsMs = 0, opsCpuMs = 0;
        System.out.printf("  %-24s %8s %11s%n", "op", "wall", "CPU (all threads)");
        for (var e : nanos.entrySet()) {
            double ms = e.getValue() / 1e6 / timed;
            double cpu = cpuNanos.getOrDefault(e.getKey(), 0L) / 1e6 / timed;
            opsMs += ms;
            opsCpuMs += cpu;
            System.out.printf("  %-24s %8.3f ms %8.3f ms%n", e.getKey(), ms, cpu);
        }
        double perStep = wallMs / timed;
        System.out.printf("  %-24s %8.3f ms %8.3f ms%n", "sum of ops", opsMs, opsCpuMs);
        System.out.printf("step: %.3f ms wall (%.2f CPU-ms per step, %.0f%% of 2 cores busy)%n", perStep, cpuMs / timed, 100 * cpuMs / wallMs / 2);
        System.out.printf("projected epoch (%d steps): %.1f s; leaked bytes: %d%n", STEPS_PER_EPOCH, perStep * STEPS_PER_EPOCH / 1000, backend.liveBytes());
    }

    private Tensor time(String op, Supplier<Tensor> call) {
        long t0 = System.nanoTime();
        long c0 = processCpuNanos();
        Tensor result = call.get();
        cpuNanos.merge(op, processCpuNanos() - c0, Long::sum);
        nanos.merge(op, System.nanoTime() - t0, Long::sum);
        stepTensors.add(result);
        return result;
    }

    private CrossEntropy timeLoss(Supplier<CrossEntropy> call) {
        long t0 = System.nanoTime();
        long c0 = processCpuNanos();
        CrossEntropy result = call.get();
        cpuNanos.merge("cross-entropy", processCpuNanos() - c0, Long::sum);
        nanos.merge("cross-entropy", System.nanoTime() - t0, Long::sum);
        stepTensors.add(result.gradLogits());
        return result;
    }

    /**
     * CPU time of all live threads, in nanoseconds: unlike the process's (counted in 10 ms ticks on
     * Linux), fine enough to time one op.
     */
    private static long processCpuNanos() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long time : threads.getThreadCpuTime(threads.getAllThreadIds())) {
            if (time > 0) sum += time;
        }
        return sum;
    }
}
