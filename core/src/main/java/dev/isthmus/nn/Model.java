package dev.isthmus.nn;

import dev.isthmus.backend.Backend;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A named network: its layers, the input it expects and its parameters under PyTorch's state-dict
 * names ({@code conv1.weight}, {@code incep1.branch1x1.bias}, ...).
 */
public final class Model implements AutoCloseable {
    private final String name;
    private final Sequential layers;
    private final Shape sampleShape;
    private final Map<String, Parameter> stateDict;
    private final Map<String, Buffer> buffers;
    private final Map<String, StateTensor> state;
    private Backend backend;
    private boolean training = true;

    /**
     * @param sampleShape one input sample without the batch axis, e.g. [1, 28, 28]
     */
    public Model(String name, Backend backend, Sequential layers, Shape sampleShape) {
        this.name = name;
        this.backend = backend;
        this.layers = layers;
        this.sampleShape = sampleShape;
        Map<String, StateTensor> collected = new LinkedHashMap<>();
        collect("", layers, collected);
        this.state = Collections.unmodifiableMap(collected);
        Map<String, Parameter> parameters = new LinkedHashMap<>();
        Map<String, Buffer> bufferEntries = new LinkedHashMap<>();
        collected.forEach((key, entry) -> {
            switch (entry) {
                case Parameter parameter -> parameters.put(key, parameter);
                case Buffer buffer -> bufferEntries.put(key, buffer);
            }
        });
        this.stateDict = Collections.unmodifiableMap(parameters);
        this.buffers = Collections.unmodifiableMap(bufferEntries);
        outputShape(1); // validate the architecture once, with a clear message naming the layer
    }

    /** PyTorch's state-dict order: a module's parameters, then its buffers, then its children's. */
    private static void collect(String prefix, Layer layer, Map<String, StateTensor> into) {
        layer.parameters().forEach((local, parameter) -> into.put(prefix + local, parameter));
        layer.buffers().forEach((local, buffer) -> into.put(prefix + local, buffer));
        layer.children().forEach((child, sub) -> collect(prefix + child + ".", sub, into));
    }

    public String name() {
        return name;
    }

    public Backend backend() {
        return backend;
    }

    public Shape sampleShape() {
        return sampleShape;
    }

    /** Output shape for a batch of the given size. */
    public Shape outputShape(int batchSize) {
        int[] dims = new int[sampleShape.rank() + 1];
        dims[0] = batchSize;
        System.arraycopy(sampleShape.dims(), 0, dims, 1, sampleShape.rank());
        return layers.outputShape(Shape.of(dims));
    }

    /** Parameters by PyTorch state-dict name, in registration order. */
    public Map<String, Parameter> stateDict() {
        return stateDict;
    }

    /**
     * The buffers (non-trainable state) by PyTorch state-dict name, in registration order.
     *
     * @return the buffers, empty for the lesson's models
     */
    public Map<String, Buffer> buffers() {
        return buffers;
    }

    /**
     * Everything PyTorch's {@code state_dict()} holds, parameters and buffers, in its order: what
     * checkpoints save and load.
     *
     * @return every state tensor by name
     */
    public Map<String, StateTensor> state() {
        return state;
    }

    /** Training mode ({@code model.train()}): the mode a new model starts in; reaches every layer. */
    public void train() {
        setTraining(true);
    }

    /** Evaluation mode ({@code model.eval()}); reaches every layer. */
    public void eval() {
        setTraining(false);
    }

    /**
     * Whether the model is in training mode.
     *
     * @return true after {@link #train()} (and at first), false after {@link #eval()}
     */
    public boolean isTraining() {
        return training;
    }

    private void setTraining(boolean mode) {
        layers.setTraining(mode);
        training = mode;
    }

    /**
     * Sets the training step whose dropout masks the next training forward pass uses, in every dropout
     * layer: a resumed run continues the mask sequence of the uninterrupted one. Without dropout it does nothing.
     *
     * @param step the steps already trained, 0 for a fresh run
     */
    public void seekDropout(long step) {
        seekDropout(layers, step);
    }

    private static void seekDropout(Layer layer, long step) {
        if (layer instanceof Dropout dropout) dropout.seek(step);
        layer.children().values().forEach(child -> seekDropout(child, step));
    }

    public long parameterCount() {
        return stateDict.values().stream().mapToLong(p -> p.shape().numel()).sum();
    }

    /**
     * Sets every parameter and buffer to its starting values, as its layer's {@link Initializer} says
     * (PyTorch's default for Conv2d and Linear: uniform in ±1/√fan_in), drawn in state-dict order
     * from one generator seeded with {@code seed}.
     *
     * @param seed the generator's seed
     */
    public void initialize(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (StateTensor entry : state.values()) {
            entry.initialize(random);
        }
    }

    public Tensor forward(Tensor input, StepScope scope) {
        return layers.forward(input, scope);
    }

    /** Computes every parameter's gradient; the input is data, so its own gradient is not computed. */
    public void backward(Tensor gradOutput, StepScope scope) {
        layers.backward(gradOutput, scope, false);
    }

    /**
     * Names the first parameter, then the first top-level layer output, holding NaN or infinity for
     * this input; "none" if all are finite (the loss itself overflowed). Used to explain divergence.
     */
    public String firstNonFinite(Tensor input, StepScope scope) {
        for (Map.Entry<String, Parameter> entry : stateDict.entrySet()) {
            if (!allFinite(entry.getValue().value().toArray())) return "parameter " + entry.getKey();
        }
        Tensor x = input;
        for (Map.Entry<String, Layer> entry : layers.children().entrySet()) {
            x = entry.getValue().forward(x, scope);
            if (!allFinite(x.toArray())) return "output of layer " + entry.getKey();
        }
        return "none (the loss itself overflowed)";
    }

    private static boolean allFinite(float[] values) {
        for (float v : values) {
            if (!Float.isFinite(v)) return false;
        }
        return true;
    }

    /**
     * Moves every parameter and buffer to {@code target} (like {@code model.to(device)}); gradients are dropped.
     *
     * @param target the backend to move to
     */
    public void to(Backend target) {
        for (Parameter parameter : stateDict.values()) {
            parameter.moveTo(target);
        }
        for (Buffer buffer : buffers.values()) {
            buffer.moveTo(target);
        }
        backend = target;
    }

    @Override
    public void close() {
        stateDict.values().forEach(Parameter::close);
        buffers.values().forEach(Buffer::close);
    }
}
