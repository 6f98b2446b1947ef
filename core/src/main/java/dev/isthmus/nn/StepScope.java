package dev.isthmus.nn;

import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Owns the intermediate tensors of one forward/backward pass (activations, their gradients) and
 * frees them all at the end of the step, so no op result can leak however the step ends.
 * <p>
 * A scope may carry an {@link Observer} that is shown every named layer's output and input
 * gradient (used by {@code isthmus compare}). Container layers report their children through
 * {@link #enter}, {@link #forwardDone}, {@link #backwardDone} and {@link #exit}; without an
 * observer these calls return at once.
 */
public final class StepScope implements AutoCloseable {

    /**
     * Sees each named layer's tensors as they are produced. Paths are dotted, nested like the state
     * dict: {@code conv1}, {@code incep1.branch5x5_2}, {@code rblock1.conv2}. The tensors belong to the
     * step and are freed when it ends: copy what you keep (for example with {@link Tensor#toArray()}).
     */
    public interface Observer {
        /**
         * {@code output} is what the layer at {@code path} returned from its forward pass.
         *
         * @param path   the layer's dotted path
         * @param output its output
         */
        void forward(String path, Tensor output);

        /**
         * {@code gradInput} is what the layer at {@code path} returned from its backward pass; null for
         * a network's first layer, whose input gradient (with respect to the data) is not computed.
         *
         * @param path      the layer's dotted path
         * @param gradInput its input gradient, or null
         */
        void backward(String path, Tensor gradInput);

        /**
         * The max-pooling layer at {@code path} pools {@code input} with {@code spec}: what a tie-aware
         * comparison of its input gradient needs (see {@code dev.isthmus.compare.MaxPoolTies}).
         *
         * @param path  the layer's dotted path
         * @param input its input
         * @param spec  its window
         */
        default void maxPoolInput(String path, Tensor input, Pool2dSpec spec) {
        }
    }

    private final List<Tensor> owned = new ArrayList<>();
    private final Observer observer;
    private final List<String> names;

    /**
     * A scope that shows nothing to anyone.
     */
    public StepScope() {
        this(null);
    }

    /**
     * A scope that shows every named layer's output and input gradient to {@code observer} (null: none).
     *
     * @param observer the observer, or null
     */
    public StepScope(Observer observer) {
        this.observer = observer;
        this.names = observer == null ? null : new ArrayList<>();
    }

    /**
     * Takes ownership of {@code tensor} and returns it, for use inline: {@code scope.track(backend.relu(x))}.
     *
     * @param tensor a new tensor
     * @return the same tensor
     */
    public Tensor track(Tensor tensor) {
        owned.add(tensor);
        return tensor;
    }

    /**
     * A container is about to run its child {@code name}; pair with {@link #exit()}.
     *
     * @param name the child's name
     */
    public void enter(String name) {
        if (observer != null) names.add(name);
    }

    /** The child entered last is done. */
    public void exit() {
        if (observer != null) names.removeLast();
    }

    /**
     * The child entered last returned {@code output} from its forward pass.
     *
     * @param output the output
     */
    public void forwardDone(Tensor output) {
        if (observer != null) observer.forward(String.join(".", names), output);
    }

    /**
     * The max-pooling layer entered last pools {@code input} with {@code spec}.
     *
     * @param input the pooled input
     * @param spec  the window
     */
    public void maxPoolInput(Tensor input, Pool2dSpec spec) {
        if (observer != null) observer.maxPoolInput(String.join(".", names), input, spec);
    }

    /**
     * The child entered last returned {@code gradInput} (null: not computed) from its backward pass.
     *
     * @param gradInput the input gradient, or null
     */
    public void backwardDone(Tensor gradInput) {
        if (observer != null) observer.backward(String.join(".", names), gradInput);
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
