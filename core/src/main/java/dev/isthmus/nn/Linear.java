package dev.isthmus.nn;

import dev.isthmus.backend.Backend;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code nn.Linear(in, out)}: y = x·Wᵀ + b with W of shape [out, in]. */
public final class Linear implements Layer {
    private final Parameter weight;
    private final Parameter bias;
    private Tensor input;

    /**
     * A fully connected layer with bias, its parameters zero until initialised.
     *
     * @param backend     where its parameters live
     * @param inFeatures  the input size
     * @param outFeatures the output size
     */
    public Linear(Backend backend, int inFeatures, int outFeatures) {
        this.weight = new Parameter(backend.zeros(Shape.of(outFeatures, inFeatures)), inFeatures);
        this.bias = new Parameter(backend.zeros(Shape.of(outFeatures)), inFeatures);
    }

    @Override
    public Tensor forward(Tensor input, StepScope scope) {
        this.input = input;
        return scope.track(input.backend().linear(input, weight.value(), bias.value()));
    }

    @Override
    public Tensor backward(Tensor gradOutput, StepScope scope) {
        Backend backend = gradOutput.backend();
        weight.setGrad(backend.linearBackwardWeight(input, gradOutput));
        bias.setGrad(backend.linearBackwardBias(gradOutput));
        return scope.track(backend.linearBackwardInput(gradOutput, weight.value()));
    }

    @Override
    public Shape outputShape(Shape input) {
        if (input.rank() != 2 || input.dim(1) != weight.shape().dim(1)) {
            throw new IllegalArgumentException("linear: input " + input + " does not fit weight " + weight.shape()
                    + " (expects [N, " + weight.shape().dim(1) + "])");
        }
        return Shape.of(input.dim(0), weight.shape().dim(0));
    }

    @Override
    public Map<String, Parameter> parameters() {
        Map<String, Parameter> parameters = new LinkedHashMap<>();
        parameters.put("weight", weight);
        parameters.put("bias", bias);
        return parameters;
    }
}
