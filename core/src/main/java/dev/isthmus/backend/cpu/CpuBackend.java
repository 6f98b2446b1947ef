package dev.isthmus.backend.cpu;

import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.bindings.dnnl.Dnnl;
import dev.isthmus.tensor.Shape;

import java.lang.foreign.MemorySegment;
import java.util.Map;


/**
 * The fast CPU backend: the reference backend with its convolutions and matrix products done by oneDNN
 * ({@code libdnnl.so.2}, the library PyTorch's CPU build uses), everything else (validation, pooling,
 * activations, loss, optimiser) inherited unchanged from {@link ReferenceBackend}, which stays the oracle.
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

    /** Opens the backend, or throws {@link CpuBackendUnavailableException} saying why oneDNN is not usable. */
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

    /** Which oneDNN kernel serves each convolution seen so far (direction, geometry → oneDNN's name). */
    public Map<String, String> convolutionImplementations() {
        return convolutions.implementations();
    }

    @Override
    protected void conv2dForward(Shape input, Shape weight, Shape output, Conv2dSpec spec,
                                 MemorySegment x, MemorySegment w, MemorySegment b, MemorySegment y) {
        if (DnnlConvolutions.supports(input, weight, output, spec)) {
            convolutions.forward(input, weight, output, spec, x, w, b, y);
        } else {
            super.conv2dForward(input, weight, output, spec, x, w, b, y);
        }
    }

    @Override
    protected void conv2dBackwardInput(Shape input, Shape weight, Shape output, Conv2dSpec spec,
                                       MemorySegment dy, MemorySegment w, MemorySegment dx) {
        if (DnnlConvolutions.supports(input, weight, output, spec)) {
            convolutions.backwardData(input, weight, output, spec, dy, w, dx);
        } else {
            super.conv2dBackwardInput(input, weight, output, spec, dy, w, dx);
        }
    }

    @Override
    protected void conv2dBackwardWeight(Shape input, Shape weight, Shape output, Conv2dSpec spec,
                                        MemorySegment x, MemorySegment dy, MemorySegment dw) {
        if (DnnlConvolutions.supports(input, weight, output, spec)) {
            convolutions.backwardWeights(input, weight, output, spec, x, dy, dw);
        } else {
            super.conv2dBackwardWeight(input, weight, output, spec, x, dy, dw);
        }
    }

    // Linear layers through dnnl_sgemm, row-major: C[M,N] = op(A)·op(B) (+ C when beta is 1).

    @Override
    protected void linearForward(MemorySegment x, MemorySegment w, MemorySegment b, int batch, int in, int out, MemorySegment y) {
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
    protected void linearBackwardInput(MemorySegment dy, MemorySegment w, int batch, int in, int out, MemorySegment dx) {
        sgemm('N', 'N', batch, in, out, dy, out, w, in, 0, dx, in);
    }

    @Override
    protected void linearBackwardWeight(MemorySegment x, MemorySegment dy, int batch, int in, int out, MemorySegment dw) {
        sgemm('T', 'N', out, in, batch, dy, out, x, in, 0, dw, in);
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
