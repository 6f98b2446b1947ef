package dev.isthmus.backend.cuda;

import dev.isthmus.IsthmusException;
import dev.isthmus.backend.AbstractBackend;
import dev.isthmus.backend.Backend;
import dev.isthmus.backend.CapturedGraph;
import dev.isthmus.backend.StepGraphs;
import dev.isthmus.backend.cuda.nativelib.Gpu;
import dev.isthmus.bindings.cudart.CudaRuntime;
import dev.isthmus.tensor.Tensor;

import java.lang.foreign.MemorySegment;

import java.util.List;

/**
 * The {@link Backend} on an NVIDIA GPU: convolution, pooling, activation and softmax through cuDNN,
 * matrix products and vector updates through cuBLAS, memory and copies through the CUDA runtime, all
 * called through the jextract bindings (no JNI, no CUDA code of our own).
 * <p>
 * Argument checks, result allocation and cleanup come from {@link AbstractBackend}; the compute hooks
 * ({@link CudaOps}) hand each op to its family. This class adds opening, thread confinement, closing
 * and the diagnostics.
 *
 * <h2>Opening</h2>
 * {@link #open(CudaOptions)} first checks {@link CudaEnvironment#requireUsable()} and throws its
 * {@link CudaUnavailableException} (exit code 3, one line saying what is missing) when the libraries
 * or the GPU are not usable: there is no silent fallback to another backend.
 *
 * <h2>Execution</h2>
 * One non-blocking CUDA stream per backend; the cuDNN and cuBLAS handles are bound to it, so every op
 * is queued in order and the host never waits, except where it needs a value: {@link #toHost},
 * {@link #toArray}, the loss of {@link #softmaxCrossEntropy} and {@link #synchronize()}.
 * Descriptors and convolution algorithms are chosen once per shape (see {@link CudaOptions}).
 * Tensor memory comes from a caching allocator: closing a tensor returns its block for reuse;
 * {@link #trim()} gives cached blocks back to the driver.
 *
 * <h2>Threads</h2>
 * A CudaBackend is confined to the thread that opened it, like its handles and scratch memory: calling
 * any op, memory method or {@link #close()} from another thread throws {@link IllegalStateException}.
 * Closing a tensor is the one exception: it may happen on any thread (the block only returns to the pool).
 * Use one backend per thread. Every backend selects its device with {@code cudaSetDevice} when opened;
 * several backends on different devices in one thread are not supported.
 *
 * <h2>After close</h2>
 * Closing frees all device memory, live tensors included; using the backend or its tensors afterwards
 * throws {@link IllegalStateException}, closing again does nothing.
 */
public final class CudaBackend extends CudaOps implements StepGraphs {

    /**
     * Free and total memory of the device, as {@code cudaMemGetInfo} reports them.
     *
     * @param freeBytes  bytes not in use
     * @param totalBytes the device's memory
     */
    public record DeviceMemory(long freeBytes, long totalBytes) {
    }

    private final Gpu gpu;
    private final OwningThread owner = new OwningThread();
    private final CudaStepGraphs graphs;
    private boolean closed;

    private CudaBackend(Gpu gpu, CudaContext cuda) {
        super(cuda);
        this.graphs = new CudaStepGraphs(cuda);
        this.gpu = gpu;
    }

    /**
     * Opens a backend with {@link CudaOptions#defaults()}.
     *
     * @return the open backend
     */
    public static CudaBackend open() {
        return open(CudaOptions.defaults());
    }

    /**
     * Opens a backend on {@code options.device()}, owned by the calling thread.
     *
     * @param options the device and the numerical settings
     * @return the open backend
     * @throws CudaUnavailableException when the CUDA libraries or a GPU are not usable (exit code 3)
     * @throws IsthmusException         when the device index does not exist (exit code 2)
     * @throws CudaException            when creating the stream or the cuDNN/cuBLAS handles fails
     */
    public static CudaBackend open(CudaOptions options) {
        Gpu gpu = CudaDeviceSelection.select(options.device());
        return new CudaBackend(gpu, CudaContext.open(options));
    }

    @Override
    public String name() {
        return "cuda";
    }

    /**
     * The options this backend was opened with.
     *
     * @return the options
     */
    public CudaOptions options() {
        return cuda.options();
    }

    /**
     * The GPU this backend runs on.
     *
     * @return the GPU's description
     */
    public Gpu gpu() {
        return gpu;
    }

    // ================================================================ memory and diagnostics

    @Override
    public long liveBytes() {
        return cuda.allocator().liveBytes();
    }

    /**
     * Bytes of freed tensor blocks the allocator keeps for reuse (not counted in {@link #liveBytes()}).
     *
     * @return the pooled bytes
     */
    public long pooledBytes() {
        return cuda.allocator().pooledBytes();
    }

    /**
     * Bytes of the shared cuDNN workspace.
     *
     * @return the workspace's size
     */
    public long workspaceBytes() {
        return cuda.workspace().capacity();
    }

    /**
     * Bytes of pinned host memory used for transfers.
     *
     * @return the pinned bytes
     */
    public long pinnedBytes() {
        return cuda.staging().pinnedBytes();
    }

    /** Gives the allocator's cached blocks back to the driver (waits for queued work). */
    public void trim() {
        checkUsable("trim");
        cuda.allocator().trim();
    }

    /** Waits until all work queued on this backend's stream has finished. */
    public void synchronize() {
        checkUsable("synchronize");
        cuda.synchronize();
    }

    /**
     * Free and total device memory ({@code cudaMemGetInfo}), for leak checks and reports.
     *
     * @return the device's free and total bytes
     */
    public DeviceMemory deviceMemory() {
        checkUsable("deviceMemory");
        NativeScratch scratch = cuda.scratch();
        CudaCheck.cuda(CudaRuntime.cudaMemGetInfo(scratch.sizeOut(), scratch.secondSizeOut()), "cudaMemGetInfo");
        return new DeviceMemory(scratch.sizeValue(), scratch.secondSizeValue());
    }

    /** How many times the driver was asked for tensor memory; the pool makes this stop growing. */
    long mallocCalls() {
        return cuda.allocator().mallocCalls();
    }

    /** How many cuDNN descriptors exist; stops growing once every shape has been seen. */
    int descriptorCount() {
        return cuda.descriptors().count();
    }

    /** How many convolution algorithm choices were made. */
    int algorithmChoices() {
        return cuda.algorithms().size();
    }

    /**
     * The cuDNN algorithm chosen for each convolution direction and shape so far, one line each (name,
     * workspace, determinism, math type, and the measured time with {@link AlgorithmSearch#FIND}).
     *
     * @return one line per choice
     */
    public List<String> convolutionAlgorithms() {
        checkUsable("convolutionAlgorithms");
        return cuda.algorithms().describe();
    }

    // ================================================================ captured steps (StepGraphs)

    @Override
    public void uploadAsync(float[] values, Tensor target) {
        checkUsable("uploadAsync");
        requireOwn(target, values.length, "uploadAsync");
        cuda.staging().upload(MemorySegment.ofArray(values), target.segment(), target.shape().bytes());
    }

    @Override
    public void copyElementAsync(Tensor source, Tensor target, int index) {
        checkUsable("copyElementAsync");
        requireOwn(source, source.shape().numel(), "copyElementAsync");
        requireOwn(target, target.shape().numel(), "copyElementAsync");
        if (index < 0 || index >= target.shape().numel()) {
            throw new IllegalArgumentException("copyElementAsync: index " + index + " is outside the target's " + target.shape().numel() + " elements");
        }
        CudaCheck.cuda(CudaRuntime.cudaMemcpyAsync(DevicePointers.offset(target.segment(), (long) index * Float.BYTES), source.segment(),
                Float.BYTES, CudaRuntime.cudaMemcpyDeviceToDevice(), cuda.stream()), "cudaMemcpyAsync(device to device)");
    }

    @Override
    public void crossEntropyOnDevice(Tensor logits, Tensor oneHot, Tensor gradLogits, Tensor loss) {
        checkUsable("crossEntropyOnDevice");
        long size = logits.shape().numel();
        requireOwn(logits, size, "crossEntropyOnDevice");
        requireOwn(oneHot, size, "crossEntropyOnDevice");
        requireOwn(gradLogits, size, "crossEntropyOnDevice");
        requireOwn(loss, 1, "crossEntropyOnDevice");
        this.loss.crossEntropyOnDevice(logits, oneHot, gradLogits, loss);
    }

    @Override
    public CapturedGraph capture(Runnable step) {
        checkUsable("capture");
        return graphs.capture(step);
    }

    /** Open captured graphs (tests check that closing them and the backend frees them). */
    int liveGraphs() {
        return graphs.liveGraphs();
    }

    private void requireOwn(Tensor tensor, long elements, String op) {
        if (tensor.backend() != this) {
            throw new IllegalArgumentException(op + ": a tensor of backend '" + tensor.backend().name() + "' was passed to the cuda backend; move it first");
        }
        if (tensor.shape().numel() != elements) {
            throw new IllegalArgumentException(op + ": a tensor of shape " + tensor.shape() + " where " + elements + " elements are needed");
        }
    }

    // ================================================================ lifecycle

    /**
     * Waits for queued work, then frees descriptors, the workspace, all tensor memory (live tensors
     * become closed), pinned buffers, the handles and the stream. Harmless when repeated.
     *
     * @throws IllegalStateException when called from another thread than the one that opened the backend
     */
    @Override
    public void close() {
        if (closed) return;
        owner.check();
        closed = true;
        try {
            graphs.close();
        } finally {
            cuda.close();
        }
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "CudaBackend[" + gpu.describe() + ", " + cuda.options() + (closed ? ", closed" : "") + "]";
    }

    /** Every public entry point starts here: the backend must be open and used from its own thread. */
    @Override
    protected void checkUsable(String op) {
        if (closed) {
            throw new IllegalStateException(op + ": the cuda backend is closed; open a new one (tensors of a closed backend cannot be used)");
        }
        owner.check();
    }
}
