package dev.isthmus.backend.reference;

import dev.isthmus.backend.parallel.ForkJoinParts;
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
 * Times training steps of the lesson's MNIST CNN on the reference backend, op by op: conv 1→10 k5,
 * maxpool 2, relu, conv 10→20 k5, maxpool 2, relu, flatten 320, linear 320→10, cross-entropy, the
 * backward pass of each, and SGD with momentum, at batch 64. Prints ms per step and the projected
 * time of one 60,000-image epoch (938 steps).
 * <p>
 * On a machine shared with other work, averages measure the neighbours as much as the code, so
 * each figure is also given for the quietest block of {@value #BLOCK} consecutive steps (the
 * block with the lowest mean), and CPU time (summed over the caller and the common pool's workers)
 * beside wall time.
 * <p>
 * A tool run by hand, not a test:
 * <pre>
 * mvn -B -q -Disthmus.buildDir=target-ref -pl core -am test-compile
 * $JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED -cp core/target-ref/classes:core/target-ref/test-classes \
 *     dev.isthmus.backend.reference.LessonCnnTiming [warm-up steps] [timed steps]
 * </pre>
 * With {@code -Disthmus.timing.backend=cpu} it times the cpu (oneDNN) backend instead (add bindings/target-ref/classes
 * to the class path).
 * <pre>
 * </pre>
 */
public final class LessonCnnTiming {
    private static final int BATCH = 64;
    private static final int STEPS_PER_EPOCH = 938;
    private static final int BLOCK = 25;
    private static final String STEP = "whole step";

    private final Backend backend;
    private final int timedSteps;
    /** Per op, wall and CPU nanoseconds of each timed step. */
    private final Map<String, long[]> wall = new LinkedHashMap<>();
    private final Map<String, long[]> cpu = new LinkedHashMap<>();
    private final List<Tensor> stepTensors = new ArrayList<>();
    private int step = -1; // index into the timed steps; negative while warming up

    private LessonCnnTiming(Backend backend, int timedSteps) {
        this.backend = backend;
        this.timedSteps = timedSteps;
    }

    public static void main(String[] args) {
        int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 150;
        int timed = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        try (ReferenceBackend backend = "cpu".equals(System.getProperty("isthmus.timing.backend"))
                ? dev.isthmus.backend.cpu.CpuBackend.open() : new ReferenceBackend()) {
            new LessonCnnTiming(backend, timed).run(warmup);
        }
    }

    private void run(int warmup) {
        Conv2dSpec conv = Conv2dSpec.defaults();
        Pool2dSpec pool = Pool2dSpec.of(2);
        float[] images = TestTensors.uniform(1, BATCH * 28 * 28);
        int[] labels = new int[BATCH];
        for (int i = 0; i < BATCH; i++) labels[i] = i % 10;
        Tensor[] params = {
                scaled(TestTensors.uniform(backend, 2, 10, 1, 5, 5)), scaled(TestTensors.uniform(backend, 3, 10)),
                scaled(TestTensors.uniform(backend, 4, 20, 10, 5, 5)), scaled(TestTensors.uniform(backend, 5, 20)),
                scaled(TestTensors.uniform(backend, 6, 10, 320)), scaled(TestTensors.uniform(backend, 7, 10))};
        Tensor[] buffers = new Tensor[params.length];
        for (int i = 0; i < params.length; i++) buffers[i] = backend.zeros(params[i].shape());

        for (int s = -warmup; s < timedSteps; s++) {
            step = s;
            if (s == 0) findWorkers();
            long stepWall = System.nanoTime(), stepCpu = cpuNanos();
            Tensor x = time("upload", () -> backend.fromArray(Shape.of(BATCH, 1, 28, 28), images));
            Tensor c1 = time("conv1 forward", () -> backend.conv2d(x, params[0], params[1], conv));
            Tensor p1 = time("pool1 forward", () -> backend.maxPool2d(c1, pool));
            Tensor r1 = time("relu1 forward", () -> backend.relu(p1));
            Tensor c2 = time("conv2 forward", () -> backend.conv2d(r1, params[2], params[3], conv));
            Tensor p2 = time("pool2 forward", () -> backend.maxPool2d(c2, pool));
            Tensor r2 = time("relu2 forward", () -> backend.relu(p2));
            Tensor flat = r2.flatten();
            Tensor logits = time("linear forward", () -> backend.linear(flat, params[4], params[5]));
            CrossEntropy loss = time("cross-entropy", () -> backend.softmaxCrossEntropy(logits, labels));
            stepTensors.add(loss.gradLogits());
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
            time("sgd (6 parameters)", () -> {
                for (int i = 0; i < params.length; i++) {
                    backend.sgdMomentumStep(params[i], grads[i], buffers[i], 0.01f, 0.5f, 0f);
                }
                return null;
            });
            time("free step tensors", () -> {
                stepTensors.forEach(Tensor::close);
                stepTensors.clear();
                return null;
            });
            record(STEP, System.nanoTime() - stepWall, cpuNanos() - stepCpu);
            if (!Float.isFinite(loss.loss())) throw new IllegalStateException("loss diverged at step " + s);
        }
        for (Tensor p : params) p.close();
        for (Tensor b : buffers) b.close();
        report(warmup);
    }

    private void report(int warmup) {
        System.out.printf("Lesson CNN, batch %d, %d timed steps after %d warm-up steps, %d threads (common pool %d + caller)%n",
                BATCH, timedSteps, warmup, ForkJoinParts.threads(), ForkJoinParts.threads() - 1);
        System.out.printf("system load average at the end: %.2f (other processes on these cores inflate wall time)%n",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.printf("  %-24s %21s   %21s%n", "ms per step", "mean: wall     CPU", "quietest block: wall     CPU");
        for (String op : wall.keySet()) {
            if (op.equals(STEP)) continue;
            print(op);
        }
        print(STEP);
        double meanStep = mean(wall.get(STEP), 0, timedSteps) / 1e6;
        double quietStep = quietestBlockMean(wall.get(STEP)) / 1e6;
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] totals = threads.getThreadCpuTime(workerIds);
        StringBuilder split = new StringBuilder();
        for (int i = 0; i < workerIds.length; i++) {
            split.append(String.format(" %s %.0f ms;", threads.getThreadInfo(workerIds[i]).getThreadName(), totals[i] / 1e6));
        }
        System.out.println("CPU per thread over the whole run (warm-up included):" + split);
        System.out.printf("projected epoch (%d steps): %.1f s at the mean step, %.1f s at the quietest block's; leaked bytes: %d%n",
                STEPS_PER_EPOCH, meanStep * STEPS_PER_EPOCH / 1000, quietStep * STEPS_PER_EPOCH / 1000, backend.liveBytes());
    }

    private void print(String op) {
        System.out.printf("  %-24s %9.3f %9.3f   %9.3f %9.3f%n", op,
                mean(wall.get(op), 0, timedSteps) / 1e6, mean(cpu.get(op), 0, timedSteps) / 1e6,
                quietestBlockMean(wall.get(op)) / 1e6, quietestBlockMean(cpu.get(op)) / 1e6);
    }

    private double quietestBlockMean(long[] values) {
        double best = Double.MAX_VALUE;
        for (int from = 0; from + BLOCK <= values.length; from += BLOCK) {
            best = Math.min(best, mean(values, from, from + BLOCK));
        }
        return best == Double.MAX_VALUE ? mean(values, 0, values.length) : best;
    }

    private static double mean(long[] values, int from, int to) {
        long sum = 0;
        for (int i = from; i < to; i++) sum += values[i];
        return (double) sum / Math.max(1, to - from);
    }

    private <T> T time(String op, Supplier<T> call) {
        long wallStart = System.nanoTime(), cpuStart = cpuNanos();
        T result = call.get();
        record(op, System.nanoTime() - wallStart, cpuNanos() - cpuStart);
        if (result instanceof Tensor tensor) stepTensors.add(tensor);
        return result;
    }

    private void record(String op, long wallNanos, long cpuNanos) {
        if (step < 0) return;
        wall.computeIfAbsent(op, k -> new long[timedSteps])[step] = wallNanos;
        cpu.computeIfAbsent(op, k -> new long[timedSteps])[step] = cpuNanos;
    }

    /** Multiplies by 0.1 in place: small weights keep the loss finite over hundreds of steps on random data. */
    private Tensor scaled(Tensor parameter) {
        float[] v = parameter.toArray();
        for (int i = 0; i < v.length; i++) v[i] *= 0.1f;
        try (Tensor small = backend.fromArray(parameter.shape(), v)) {
            backend.copy(small, parameter);
        }
        return parameter;
    }

    /** The threads doing the work: this one and the common pool's workers (found once they exist). */
    private long[] workerIds = {Thread.currentThread().threadId()};

    /** CPU time of the working threads, in nanoseconds (the process's is counted in 10 ms ticks on Linux). */
    private long cpuNanos() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long time : threads.getThreadCpuTime(workerIds)) {
            if (time > 0) sum += time;
        }
        return sum;
    }

    private void findWorkers() {
        workerIds = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t == Thread.currentThread() || t.getName().startsWith("ForkJoinPool.commonPool"))
                .mapToLong(Thread::threadId).toArray();
    }
}
