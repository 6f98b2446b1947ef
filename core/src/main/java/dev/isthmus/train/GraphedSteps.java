package dev.isthmus.train;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.CapturedGraph;
import dev.isthmus.backend.GraphCaptureException;
import dev.isthmus.backend.StepGraphs;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.StepScope;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Training steps that never wait for the device (docs/cuda-graphs.md). Each step uploads its batch into
 * fixed device buffers (images and one-hot labels, one pair per batch size) and runs forward, loss,
 * backward and the optimizer's update with the loss computed on the device; the batch's loss is copied into a
 * window of {@code readEvery} slots that the host reads once per window (and at the end of an epoch).
 * <p>
 * With {@code capture} on, the third step of each batch size (the first {@link #WARM_UP_STEPS} run
 * eagerly, so algorithm choices, workspaces and memory are in place) is captured as a graph and every
 * later step of that size is one launch; a new size (the last partial batch) gets its own capture. If capture fails, the reason
 * is kept ({@link #fallbackReason()}) and steps run eagerly, with the same arithmetic; so does an optimizer whose
 * step a graph cannot replay ({@link Optimizer#graphCaptureObstacle()}: Adam's scalars change every step).
 */
public final class GraphedSteps implements AutoCloseable {
    /**
     * Eager steps of a batch size before it is captured: the first creates what persists (momentum
     * buffers, gradients, algorithm choices, workspaces); the second leaves the memory pool as every later
     * step finds it, so the captured step needs no new device memory (which capture forbids).
     */
    static final int WARM_UP_STEPS = 2;

    /** Steps between host reads of the losses: how late a NaN may be seen, and how bursty progress is. */
    public static final int DEFAULT_READ_EVERY = 20;

    private final Model model;
    private final Optimizer optimizer;
    private final Backend backend;
    private final StepGraphs device;
    private final boolean capture;
    private final int classes;
    private final int readEvery;
    private final Map<Integer, Slot> slots = new LinkedHashMap<>();
    private final Tensor window;
    private int pending;
    private long graphLaunches;
    private String fallbackReason;

    /**
     * Prepares graphed (or queued) steps of {@code model}; nothing is captured until the first step.
     *
     * @param model     the model to train; its backend must be a {@link StepGraphs} (see {@link #supported})
     * @param optimizer the optimizer whose update is part of each step
     * @param classes   the number of classes, for the loss
     * @param capture   whether to capture steps as CUDA graphs (otherwise they are queued op by op)
     * @param readEvery how many steps between reads of the accumulated loss on the host
     */
    public GraphedSteps(Model model, Optimizer optimizer, int classes, boolean capture, int readEvery) {
        if (!supported(model.backend())) {
            throw new IllegalArgumentException("the " + model.backend().name() + " backend cannot run steps without synchronisation");
        }
        this.model = model;
        this.optimizer = optimizer;
        this.backend = model.backend();
        this.device = (StepGraphs) backend;
        this.capture = capture;
        this.classes = classes;
        this.readEvery = readEvery;
        this.window = backend.zeros(Shape.of(readEvery));
    }

    /**
     * Whether {@code backend} can queue and capture whole steps.
     *
     * @param backend a backend
     * @return true for backends that implement {@link StepGraphs} (CUDA)
     */
    public static boolean supported(Backend backend) {
        return backend instanceof StepGraphs;
    }

    /**
     * Queues one step on the batch.
     *
     * @param batch the batch, copied into this size's fixed device buffers
     * @return the losses of the steps read now, oldest first: empty unless the window just filled
     */
    public float[] step(Batch batch) {
        Slot slot = slots.computeIfAbsent(batch.size(), size -> new Slot(batch.shape()));
        if (slot.graph != null && !slot.capturedWith.equals(optimizer.settings())) {
            // A graph keeps the host scalars of its capture (the learning rate): a schedule's new rate needs a new
            // capture, after one eager step that puts the blocks other graphs still hold back in the pool.
            slot.graph.close();
            slot.graph = null;
            slot.eagerSteps = WARM_UP_STEPS - 1;
        }
        device.uploadAsync(batch.images(), slot.images);
        device.uploadAsync(oneHot(batch.labels()), slot.oneHot);
        if (slot.graph == null && capture && slot.eagerSteps >= WARM_UP_STEPS && fallbackReason == null) {
            fallbackReason = optimizer.graphCaptureObstacle();
        }
        if (slot.graph == null && capture && slot.eagerSteps >= WARM_UP_STEPS && fallbackReason == null) {
            try {
                slot.capturedWith = optimizer.settings();
                slot.graph = device.capture(() -> run(slot));
            } catch (GraphCaptureException e) {
                fallbackReason = e.getMessage();
            }
        }
        if (slot.graph != null) {
            slot.graph.launch();
            graphLaunches++;
        } else {
            run(slot);
            slot.eagerSteps++;
        }
        device.copyElementAsync(slot.loss, window, pending++);
        return pending == readEvery ? read() : new float[0];
    }

    /**
     * Reads the losses of the steps queued since the last read (waits for them).
     *
     * @return the losses, oldest first
     */
    public float[] read() {
        float[] losses = Arrays.copyOf(window.toArray(), pending);
        pending = 0;
        return losses;
    }

    /**
     * Why capture was given up (the first failure, said once), or null.
     *
     * @return the reason, or null while capture works or was not asked for
     */
    public String fallbackReason() {
        return fallbackReason;
    }

    /**
     * For metrics.json: "on", "off" (capture not asked for) or "capture failed: &lt;why&gt;".
     *
     * @return the mode word
     */
    public String mode() {
        if (!capture) return "off";
        return fallbackReason == null ? "on" : "capture failed: " + fallbackReason;
    }

    /**
     * Steps that ran as a graph launch.
     *
     * @return the count since this object was made
     */
    public long graphLaunches() {
        return graphLaunches;
    }

    /** The step's work: everything is queued, nothing is read on the host, so it can be captured. */
    private void run(Slot slot) {
        try (StepScope scope = new StepScope()) {
            Tensor logits = model.forward(slot.images, scope);
            Tensor gradLogits = scope.track(backend.zeros(logits.shape()));
            device.crossEntropyOnDevice(logits, slot.oneHot, gradLogits, slot.loss);
            model.backward(gradLogits, scope);
        }
        optimizer.step(model);
    }

    private float[] oneHot(int[] labels) {
        float[] values = new float[labels.length * classes];
        for (int i = 0; i < labels.length; i++) {
            values[i * classes + labels[i]] = 1f;
        }
        return values;
    }

    /** Closes the graphs and the fixed buffers. */
    @Override
    public void close() {
        slots.values().forEach(Slot::close);
        slots.clear();
        window.close();
    }

    /** The fixed buffers of one batch size and, once captured, its graph. */
    private final class Slot implements AutoCloseable {
        final Tensor images;
        final Tensor oneHot;
        final Tensor loss;
        CapturedGraph graph;
        Record capturedWith;
        int eagerSteps;

        Slot(Shape shape) {
            images = backend.zeros(shape);
            oneHot = backend.zeros(Shape.of(shape.dim(0), classes));
            loss = backend.zeros(Shape.of(1));
        }

        @Override
        public void close() {
            if (graph != null) graph.close();
            images.close();
            oneHot.close();
            loss.close();
        }
    }
}
