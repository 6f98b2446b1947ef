package dev.isthmus.compare;

import dev.isthmus.backend.Backend;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.util.List;

/**
 * One bad call of an op and what every backend must answer: the argument-error suite makes the
 * tensors (zeros of the given shapes), runs the call, and expects the exception type with a message
 * that starts with the op's name and contains every fragment.
 *
 * @param op        the op's name as the message starts, e.g. {@code conv2d}
 * @param type      the exception expected
 * @param tensors   the shapes of the tensors the call gets, in order
 * @param call      the call
 * @param fragments what the message must contain
 */
public record BadArgument(String op, Class<? extends RuntimeException> type, List<Shape> tensors, Call call, List<String> fragments) {
    /** The bad call on a backend with its tensors. */
    @FunctionalInterface
    public interface Call {
        /**
         * Makes the call.
         *
         * @param backend the backend under test
         * @param tensors the tensors of {@link #tensors()}, in order
         */
        void apply(Backend backend, Tensor[] tensors);
    }

    /**
     * A call that must throw IllegalArgumentException.
     *
     * @param op        the op's name
     * @param tensors   the tensors' shapes
     * @param call      the call
     * @param fragments what the message must contain
     * @return the bad argument
     */
    public static BadArgument of(String op, List<Shape> tensors, Call call, String... fragments) {
        return new BadArgument(op, IllegalArgumentException.class, tensors, call, List.of(fragments));
    }
}
