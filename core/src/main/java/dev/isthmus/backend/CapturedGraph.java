package dev.isthmus.backend;

/** A captured step (see {@link StepGraphs#capture}): launching queues all of its work at once. */
public interface CapturedGraph extends AutoCloseable {

    /** Queues the captured work again, on the same memory. */
    void launch();

    /** Destroys the graph and gives its memory back to the backend; closing again does nothing. */
    @Override
    void close();
}
