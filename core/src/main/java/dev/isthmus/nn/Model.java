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
    private Backend backend;

    /**
     * @param sampleShape one input sample without the batch axis, e.g. [1, 28, 28]
     */
    public Model(String name, Backend backend, Sequential layers, Shape sampleShape) {
        this.name = name;
        this.backend = backend;
        this.layers = layers;
        this.sampleShape = sampleShape;
        Map<String, Parameter> collected = new LinkedHashMap<>();
        collect("", layers, collected);
        this.stateDict = Collections.unmodifiableMap(collected);
        outputShape(1); // validate the architecture once, with a clear message naming the layer
    }

    private static void collect(String prefix, Layer layer, Map<String, Parameter> into) {
        layer.parameters().forEach((local, parameter) -> into.put(prefix + local, parameter));
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

    public long parameterCount() {
        return stateDict.values().stream().mapToLong(p -> p.shape().numel()).sum();
    }

    /**
     * PyTorch's default initialisation of Conv2d and Linear: weights kaiming-uniform with a=√5 and
     * biases uniform, both in ±1/√fan_in, drawn in state-dict order from one seeded generator.
     */
    public void initialize(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (Parameter parameter : stateDict.values()) {
            double bound = 1.0 / Math.sqrt(parameter.fanIn());
            float[] values = new float[Math.toIntExact(parameter.shape().numel())];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
            }
            parameter.load(values);
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

    /** Moves every parameter to {@code target} (like {@code model.to(device)}); gradients are dropped. */
    public void to(Backend target) {
        for (Parameter parameter : stateDict.values()) {
            parameter.moveTo(target);
        }
        backend = target;
    }

    @Override
    public void close() {
        stateDict.values().forEach(Parameter::close);
    }
}
