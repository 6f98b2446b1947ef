/**
 * Route (b) of issue #19: convolution and linear kernels in pure Java with the Vector API
 * ({@code jdk.incubator.vector}), behind {@link dev.isthmus.backend.vector.VectorBackend}. Needs
 * {@code --add-modules jdk.incubator.vector} at run time; measured against the reference and oneDNN in
 * docs/performance.md.
 */
package dev.isthmus.backend.vector;
