package dev.isthmus.nn;

import dev.isthmus.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Owns the intermediate tensors of one forward/backward pass (activations, their gradients) and
 * frees them all at the end of the step, so no op result can leak however the step ends.
 */
public final class StepScope implements AutoCloseable {
    private final List<Tensor> owned = new ArrayList<>();

    /** Takes ownership of {@code tensor} and returns it, for use inline: {@code scope.track(backend.relu(x))}. */
    public Tensor track(Tensor tensor) {
        owned.add(tensor);
        return tensor;
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        owned.clear();
        if (first != null) throw first;
    }
}
