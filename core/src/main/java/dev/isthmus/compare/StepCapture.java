package dev.isthmus.compare;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.CrossEntropy;
import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.StepScope;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;
import dev.isthmus.train.Batch;
import dev.isthmus.train.Sgd;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one backend computed in one training step, copied to the host as it was produced:
 * each named layer's output and input gradient, the loss and its gradient of the logits, every
 * parameter's gradient (after backward, before the update) and value (after the update).
 *
 * @param layers         forward outputs, then backward input gradients, in the order they were computed
 * @param parameterGrads by state-dict name; a parameter without a gradient is absent
 * @param parameters     by state-dict name, after the SGD update
 * @param maxPoolInputs  by layer path, the input of each max-pooling layer (for the tie-aware comparison of its gradient)
 */
record StepCapture(List<LayerTensor> layers, float loss, Shape logitsShape, float[] gradLogits,
                   Map<String, float[]> parameterGrads, Map<String, float[]> parameters, Map<String, PoolInput> maxPoolInputs) {

    /** One observed layer tensor: a forward output or the gradient its backward returned (null values: not computed). */
    record LayerTensor(boolean forward, String path, Shape shape, float[] values) {
    }

    /** What a max-pooling layer pooled. */
    record PoolInput(Shape shape, float[] values, Pool2dSpec spec) {
    }

    /** Runs one step of {@code model} with {@code optimizer} on {@code batch}, recording every tensor. */
    static StepCapture run(Model model, Sgd optimizer, Batch batch) {
        Backend backend = model.backend();
        List<LayerTensor> layers = new ArrayList<>();
        Map<String, PoolInput> poolInputs = new LinkedHashMap<>();
        StepScope.Observer recorder = new StepScope.Observer() {
            @Override
            public void forward(String path, Tensor output) {
                layers.add(new LayerTensor(true, path, output.shape(), output.toArray()));
            }

            @Override
            public void backward(String path, Tensor gradInput) {
                layers.add(gradInput == null ? new LayerTensor(false, path, null, null)
                        : new LayerTensor(false, path, gradInput.shape(), gradInput.toArray()));
            }

            @Override
            public void maxPoolInput(String path, Tensor input, Pool2dSpec spec) {
                poolInputs.put(path, new PoolInput(input.shape(), input.toArray(), spec));
            }
        };
        float loss;
        Shape logitsShape;
        float[] gradLogits;
        try (StepScope scope = new StepScope(recorder)) {
            Tensor images = scope.track(backend.fromArray(batch.shape(), batch.images()));
            Tensor logits = model.forward(images, scope);
            CrossEntropy result = backend.softmaxCrossEntropy(logits, batch.labels());
            scope.track(result.gradLogits());
            loss = result.loss();
            logitsShape = logits.shape();
            gradLogits = result.gradLogits().toArray();
            model.backward(result.gradLogits(), scope);
        }
        Map<String, float[]> grads = new LinkedHashMap<>();
        model.stateDict().forEach((name, parameter) -> {
            if (parameter.grad() != null) grads.put(name, parameter.grad().toArray());
        });
        optimizer.step(model);
        Map<String, float[]> values = new LinkedHashMap<>();
        model.stateDict().forEach((name, parameter) -> values.put(name, parameter.value().toArray()));
        return new StepCapture(Collections.unmodifiableList(layers), loss, logitsShape, gradLogits,
                Collections.unmodifiableMap(grads), Collections.unmodifiableMap(values), Collections.unmodifiableMap(poolInputs));
    }
}
