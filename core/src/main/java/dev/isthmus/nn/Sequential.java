package dev.isthmus.nn;

import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Layers applied in order; each has a name that becomes its prefix in the state dict. */
public final class Sequential implements Layer {
    private final Map<String, Layer> layers = new LinkedHashMap<>();

    /** An empty sequence; {@link #add} appends layers. */
    public Sequential() {
    }

    /**
     * Appends a named layer; returns this for chaining.
     *
     * @param name  the child's name in the state dict
     * @param layer the child
     * @return this, for chaining
     */
    public Sequential add(String name, Layer layer) {
        if (layers.putIfAbsent(name, layer) != null) {
            throw new IllegalArgumentException("sequential: a layer named '" + name + "' is already present");
        }
        return this;
    }

    @Override
    public Tensor forward(Tensor input, StepScope scope) {
        Tensor x = input;
        for (Map.Entry<String, Layer> entry : layers.entrySet()) {
            scope.enter(entry.getKey());
            x = entry.getValue().forward(x, scope);
            scope.forwardDone(x);
            scope.exit();
        }
        return x;
    }

    @Override
    public Tensor backward(Tensor gradOutput, StepScope scope) {
        return backward(gradOutput, scope, true);
    }

    @Override
    public Tensor backward(Tensor gradOutput, StepScope scope, boolean inputGradientNeeded) {
        List<Map.Entry<String, Layer>> reversed = new ArrayList<>(layers.entrySet());
        Collections.reverse(reversed);
        Tensor grad = gradOutput;
        for (int i = 0; i < reversed.size(); i++) {
            Map.Entry<String, Layer> entry = reversed.get(i);
            boolean isFirstLayer = i == reversed.size() - 1;
            scope.enter(entry.getKey());
            grad = entry.getValue().backward(grad, scope, inputGradientNeeded || !isFirstLayer);
            scope.backwardDone(grad);
            scope.exit();
        }
        return grad;
    }

    @Override
    public Shape outputShape(Shape input) {
        Shape shape = input;
        for (Map.Entry<String, Layer> entry : layers.entrySet()) {
            try {
                shape = entry.getValue().outputShape(shape);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("layer '" + entry.getKey() + "': " + e.getMessage(), e);
            }
        }
        return shape;
    }

    @Override
    public Map<String, Layer> children() {
        return Collections.unmodifiableMap(layers);
    }
}
