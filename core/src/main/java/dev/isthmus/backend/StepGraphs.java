package dev.isthmus.backend;

import dev.isthmus.tensor.Tensor;

/**
 * What a backend offers to run a training step with no host synchronisation and, where the device
 * supports it, captured once as a graph and relaunched with one call (the CUDA backend: CUDA graphs,
 * docs/cuda-graphs.md). A backend without it trains step by step as before.
 * <p>
 * Everything here only queues work: nothing waits for the device, so a captured step contains no read
 * on the host.
 */
public interface StepGraphs {

    /**
     * Queues a copy of {@code values} into {@code target} (a tensor of this backend) without waiting for it.
     *
     * @param values as many values as the target holds
     * @param target the tensor written
     */
    void uploadAsync(float[] values, Tensor target);

    /**
     * Queues {@code target[index] = source[0]} (both float tensors of this backend).
     *
     * @param source its first element is copied
     * @param target the tensor written
     * @param index  the element of the target written
     */
    void copyElementAsync(Tensor source, Tensor target, int index);

    /**
     * Softmax cross-entropy computed on the device: {@code gradLogits = (softmax(logits) − oneHot)/N} and
     * {@code loss[0] = mean over the batch of −log softmax(logits)[label]}, the labels given one-hot.
     *
     * @param logits     [N, classes]
     * @param oneHot     [N, classes], one 1 per row
     * @param gradLogits [N, classes], written
     * @param loss       [1] or larger, element 0 written
     */
    void crossEntropyOnDevice(Tensor logits, Tensor oneHot, Tensor gradLogits, Tensor loss);

    /**
     * Captures the work {@code step} queues into a graph; the step does not run. Memory the step
     * allocates stays the graph's until the graph is closed.
     *
     * @param step the work of one step
     * @return the graph, to launch as often as needed
     * @throws GraphCaptureException when the device cannot capture it (the message says why); nothing ran
     */
    CapturedGraph capture(Runnable step);
}
