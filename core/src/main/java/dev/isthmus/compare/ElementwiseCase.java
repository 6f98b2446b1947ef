package dev.isthmus.compare;

import dev.isthmus.backend.Backend;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;

/** A case whose only setting is its input's shape: the elementwise ops and global pooling. */
public interface ElementwiseCase extends OpCase {
    /**
     * The input's shape.
     *
     * @return the shape
     */
    Shape input();

    @Override
    default Map<String, Object> describe() {
        return Map.of("input", input().toString());
    }

    /**
     * An activation's outputs {@code output} and {@code grad_input}: the forward on inputs uniform in
     * ±{@code bound}, and the backward from the forward's output and a gradient uniform in ±1.
     *
     * @param backend  the backend that computes
     * @param seed     the inputs' seed
     * @param bound    the inputs' half-width
     * @param forward  the activation
     * @param backward its gradient from (output, gradOutput)
     * @return the two outputs (Java heap)
     */
    default List<Output> evaluateActivation(Backend backend, long seed, double bound, UnaryOperator<Tensor> forward,
                                            BinaryOperator<Tensor> backward) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = CaseInputs.uniform(random, input(), bound);
        float[] dy = CaseInputs.uniform(random, input(), 1);
        try (Tensor tx = backend.fromArray(input(), x); Tensor tdy = backend.fromArray(input(), dy); Tensor y = forward.apply(tx);
             Tensor dx = backward.apply(y, tdy)) {
            return List.of(new Output("output", TensorKind.ACTIVATION, y.shape(), 1, y.toArray()),
                    new Output("grad_input", TensorKind.ACTIVATION_GRAD, dx.shape(), 1, dx.toArray()));
        }
    }
}
