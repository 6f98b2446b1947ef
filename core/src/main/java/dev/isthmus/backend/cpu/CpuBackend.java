package dev.isthmus.backend.cpu;

import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.bindings.dnnl.Dnnl;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.Map;


/**
 * The fast CPU backend: the reference backend with its convolutions and matrix products done by oneDNN
 * ({@code libdnnl.so.2}, the library PyTorch's CPU build uses), {@code MaxPool2d(2)} by its own Java kernel
 * (see {@link MaxPool2x2}), everything else (validation, other pooling, activations, loss, optimiser) inherited unchanged from
 * {@link ReferenceBackend}, which stays the oracle.
 * <p>
 * Threads: oneDNN runs single-threaded (its OpenMP runtime is set to one thread before it loads, see
 * {@link DnnlLibrary}); each convolution splits its batch over the common ForkJoin pool ({@link DnnlConvolutions}),
 * as the inherited Java kernels do, so there is one thread pool and one parallel decision per op.
 * The small matrix products of the linear layers run on the calling thread.
 * Geometries oneDNN does not take as they are (dilation, a negative right padding) use the reference kernels.
 */
public final class CpuBackend extends ReferenceBackend {
    private final DnnlEngine engine;
    private final DnnlConvolutions convolutions;

    private CpuBackend(DnnlEngine engine) {
        this.engine = engine;
        this.convolutions = new DnnlConvolutions(engine);
    }

    /**
     * Opens the backend, or throws {@link CpuBackendUnavailableException} saying why oneDNN is not usable.
     *
     * @return the backend
     */
    public static CpuBackend open() {
        DnnlLibrary.Status status = DnnlLibrary.load();
        if (!status.usable()) {
            throw new CpuBackendUnavailableException(status.unusableReason().orElseThrow());
        }
        return new CpuBackend(new DnnlEngine());
    }

    @Override
    public String name() {
        return "cpu";
    }

    /**
     * Which oneDNN kernel serves each convolution seen so far.
     *
     * @return oneDNN's implementation name by direction and geometry
     */
    public Map<String, String> convolutionImplementations() {
        return convolutions.implementations();
    }

    @Override
    protected void computeConv2d(Tensor input, Tensor weight, Tensor bias, Conv2dSpec spec, Tensor output) {
        if (DnnlConvolutions.supports(input.shape(), weight.shape(), output.shape(), spec)) {
            convolutions.forward(input.shape(), weight.shape(), output.shape(), spec, input.segment(), weight.segment(),
                    bias == null ? null : bias.segment(), output.segment());
        } else {
            super.computeConv2d(input, weight, bias, spec, output);
        }
    }

    @Override
    protected void computeConv2dBackwardInput(Tensor gradOutput, Tensor weight, Conv2dSpec spec, Tensor gradInput) {
        if (DnnlConvolutions.supports(gradInput.shape(), weight.shape(), gradOutput.shape(), spec)) {
            convolutions.backwardData(gradInput.shape(), weight.shape(), gradOutput.shape(), spec, gradOutput.segment(), weight.segment(),
                    gradInput.segment());
        } else {
            super.computeConv2dBackwardInput(gradOutput, weight, spec, gradInput);
        }
    }

    @Override
    protected void computeConv2dBackwardWeight(Tensor input, Tensor gradOutput, Conv2dSpec spec, Tensor gradWeight) {
        if (DnnlConvolutions.supports(input.shape(), gradWeight.shape(), gradOutput.shape(), spec)) {
            convolutions.backwardWeights(input.shape(), gradWeight.shape(), gradOutput.shape(), spec, input.segment(), gradOutput.segment(),
                    gradWeight.segment());
        } else {
            super.computeConv2dBackwardWeight(input, gradOutput, spec, gradWeight);
        }
    }

    // MaxPool2d(2) straight on native memory, split over the threads (MaxPool2x2); other poolings are the reference's.

    @Override
    protected void computeMaxPool2d(Tensor input, Pool2dSpec spec, Tensor output) {
        if (MaxPool2x2.serves(spec)) {
            Shape i = input.shape(), o = output.shape();
            MaxPool2x2.forward(input.segment(), output.segment(), i.dim(0) * i.dim(1), i.dim(2), i.dim(3), o.dim(2), o.dim(3));
        } else {
            super.computeMaxPool2d(input, spec, output);
        }
    }

    @Override
    protected void computeMaxPool2dBackward(Tensor input, Tensor output, Tensor gradOutput, Pool2dSpec spec, Tensor gradInput) {
        if (MaxPool2x2.serves(spec)) {
            Shape i = input.shape(), o = output.shape();
            MaxPool2x2.backward(input.segment(), gradOutput.segment(), gradInput.segment(), i.dim(0) * i.dim(1), i.dim(2), i.dim(3),
                    o.dim(2), o.dim(3));
        } else {
            super.computeMaxPool2dBackward(input, output, gradOutput, spec, gradInput);
        }
    }

    // Linear layers through dnnl_sgemm, row-major: C[M,N] = op(A)·op(B) (+ C when beta is 1).

    @Override
    protected void computeLinear(Tensor input, Tensor weight, Tensor bias, Tensor output) {
        MemorySegment x = input.segment(), w = weight.segment(), b = bias == null ? null : bias.segment(), y = output.segment();
        int batch = input.shape().dim(0), in = input.shape().dim(1), out = weight.shape().dim(0);
        float beta = 0;
        if (b != null) {
            for (int n = 0; n < batch; n++) {
                MemorySegment.copy(b, 0, y, (long) n * out * Float.BYTES, (long) out * Float.BYTES);
            }
            beta = 1;
        }
        sgemm('N', 'T', batch, out, in, x, in, w, in, beta, y, out);
    }

    @Override
    protected void computeLinearBackwardInput(Tensor gradOutput, Tensor weight, Tensor gradInput) {
        int batch = gradOutput.shape().dim(0), out = weight.shape().dim(0), in = weight.shape().dim(1);
        sgemm('N', 'N', batch, in, out, gradOutput.segment(), out, weight.segment(), in, 0, gradInput.segment(), in);
    }

    @Override
    protected void computeLinearBackwardWeight(Tensor input, Tensor gradOutput, Tensor gradWeight) {
        int batch = input.shape().dim(0), in = input.shape().dim(1), out = gradOutput.shape().dim(1);
        sgemm('T', 'N', out, in, batch, gradOutput.segment(), out, input.segment(), in, 0, gradWeight.segment(), in);
    }

    private static void sgemm(char transA, char transB, int m, int n, int k, MemorySegment a, int lda, MemorySegment b, int ldb,
                              float beta, MemorySegment c, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (beta == 0) {
                c.asSlice(0, (long) m * n * Float.BYTES).fill((byte) 0);
            }
            return;
        }
        DnnlException.check(Dnnl.dnnl_sgemm((byte) transA, (byte) transB, m, n, k, 1f, a, lda, b, ldb, beta, c, ldc),
                "dnnl_sgemm(" + transA + transB + ", M=" + m + ", N=" + n + ", K=" + k + ")");
    }

    @Override
    public void close() {
        if (!isClosed()) {
            super.close();
            convolutions.close();
            engine.close();
        }
    }

    @Override
    public String toString() {
        return "CpuBackend[" + (isClosed() ? "closed" : liveBytes() + " live bytes") + "]";
    }
}
