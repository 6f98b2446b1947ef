package dev.isthmus.backend.vector;

import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;

/**
 * Route (b) of issue #19, a prototype: the reference backend with its convolutions and linear layers done
 * by pure-Java Vector API kernels ({@link VectorConvolution}, {@link VectorLinear} over {@link VectorGemm}),
 * needing no native library. Everything else is inherited from {@link ReferenceBackend}, the oracle.
 * <p>
 * The Vector API is an incubator module in JDK 25: the JVM must be started with
 * {@code --add-modules jdk.incubator.vector}, and then prints "WARNING: Using incubator modules:
 * jdk.incubator.vector" on stderr. The command line does not offer this backend (its output stays clean);
 * the JMH suite ({@code backend=vector}) and the tests use it. See docs/performance.md, "The two routes of #19".
 */
public final class VectorBackend extends ReferenceBackend {

    private VectorBackend() {
    }

    /**
     * Why this JVM cannot run the backend (the incubator module is not in its module graph).
     *
     * @return the reason, or empty when it can run
     */
    public static Optional<String> unusableReason() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() ? Optional.empty()
                : Optional.of("the Vector API is not in this JVM: start java with --add-modules jdk.incubator.vector");
    }

    /**
     * Opens the backend, or throws {@link IllegalStateException} saying why it cannot run here.
     *
     * @return the backend
     */
    public static VectorBackend open() {
        unusableReason().ifPresent(reason -> {
            throw new IllegalStateException("vector backend not usable: " + reason);
        });
        return new VectorBackend();
    }

    @Override
    public String name() {
        return "vector";
    }

    /**
     * Floats per vector register on this CPU, as the Vector API sees it.
     *
     * @return 16 with AVX-512, 8 with AVX2
     */
    public int lanes() {
        return VectorGemm.LANES;
    }

    @Override
    protected void computeConv2d(Tensor input, Tensor weight, Tensor bias, Conv2dSpec spec, Tensor output) {
        ConvSizes g = ConvSizes.of(input.shape(), weight.shape(), output.shape(), spec);
        float[] biasValues = bias == null ? null : bias.segment().toArray(JAVA_FLOAT_UNALIGNED);
        VectorConvolution.forward(g, input.segment(), weight.segment().toArray(JAVA_FLOAT_UNALIGNED), biasValues, output.segment());
    }

    @Override
    protected void computeConv2dBackwardInput(Tensor gradOutput, Tensor weight, Conv2dSpec spec, Tensor gradInput) {
        ConvSizes g = ConvSizes.of(gradInput.shape(), weight.shape(), gradOutput.shape(), spec);
        float[] w = weight.segment().toArray(JAVA_FLOAT_UNALIGNED);
        int rows = g.columnRows();
        float[] transposed = new float[w.length];
        for (int k = 0; k < g.k(); k++) {
            for (int row = 0; row < rows; row++) transposed[row * g.k() + k] = w[k * rows + row];
        }
        VectorConvolution.backwardData(g, gradOutput.segment(), transposed, gradInput.segment());
    }

    @Override
    protected void computeConv2dBackwardWeight(Tensor input, Tensor gradOutput, Conv2dSpec spec, Tensor gradWeight) {
        ConvSizes g = ConvSizes.of(input.shape(), gradWeight.shape(), gradOutput.shape(), spec);
        float[] dw = VectorConvolution.backwardWeight(g, input.segment(), gradOutput.segment());
        MemorySegment.copy(dw, 0, gradWeight.segment(), JAVA_FLOAT_UNALIGNED, 0, dw.length);
    }

    @Override
    protected void computeLinear(Tensor input, Tensor weight, Tensor bias, Tensor output) {
        int batch = input.shape().dim(0), in = input.shape().dim(1), out = weight.shape().dim(0);
        VectorLinear.forward(input.segment(), weight.segment(), bias == null ? null : bias.segment(), batch, in, out, output.segment());
    }

    @Override
    protected void computeLinearBackwardInput(Tensor gradOutput, Tensor weight, Tensor gradInput) {
        int batch = gradOutput.shape().dim(0), out = weight.shape().dim(0), in = weight.shape().dim(1);
        VectorLinear.backwardInput(gradOutput.segment(), weight.segment(), batch, in, out, gradInput.segment());
    }

    @Override
    protected void computeLinearBackwardWeight(Tensor input, Tensor gradOutput, Tensor gradWeight) {
        int batch = input.shape().dim(0), in = input.shape().dim(1), out = gradOutput.shape().dim(1);
        VectorLinear.backwardWeight(input.segment(), gradOutput.segment(), batch, in, out, gradWeight.segment());
    }

    @Override
    public String toString() {
        return "VectorBackend[" + (isClosed() ? "closed" : liveBytes() + " live bytes") + "]";
    }
}
