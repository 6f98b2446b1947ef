package dev.isthmus.backend.cuda;

import dev.isthmus.IsthmusException;
import dev.isthmus.backend.Backend;
import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.backend.CrossEntropy;
import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.backend.cuda.ConvolutionAlgorithms.Choice;
import dev.isthmus.backend.cuda.ConvolutionAlgorithms.Direction;
import dev.isthmus.backend.cuda.ConvolutionAlgorithms.Problem;
import dev.isthmus.backend.cuda.Descriptors.PoolingKind;
import dev.isthmus.backend.cuda.nativelib.Gpu;
import dev.isthmus.bindings.cublas.Cublas;
import dev.isthmus.bindings.cudart.CudaRuntime;
import dev.isthmus.bindings.cudnn.Cudnn;
import dev.isthmus.tensor.Memory;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@link Backend} on an NVIDIA GPU: convolution, pooling, activation and softmax through cuDNN,
 * matrix products and vector updates through cuBLAS, memory and copies through the CUDA runtime, all
 * called through the jextract bindings (no JNI, no CUDA code of our own).
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
public final class CudaBackend implements Backend {

    /** Free and total memory of the device, as {@code cudaMemGetInfo} reports them. */
    public record DeviceMemory(long freeBytes, long totalBytes) {
    }

    private final CudaOptions options;
    private final Gpu gpu;
    private final Thread owner;
    private final NativeScratch scratch;
    private final MemorySegment stream;
    private final MemorySegment cudnn;
    private final MemorySegment cublas;
    private final DeviceAllocator allocator;
    private final PinnedStaging staging;
    private final Descriptors descriptors;
    private final ConvolutionAlgorithms algorithms;
    private final Workspace workspace;
    /** Host arrays reused by the cross-entropy (one-hot labels up, log-probabilities down). */
    private float[] oneHotHost = new float[0];
    private float[] logProbHost = new float[0];
    private boolean closed;

    private CudaBackend(CudaOptions options, Gpu gpu, NativeScratch scratch, MemorySegment stream,
                        MemorySegment cudnn, MemorySegment cublas, PinnedStaging staging) {
        this.options = options;
        this.gpu = gpu;
        this.owner = Thread.currentThread();
        this.scratch = scratch;
        this.stream = stream;
        this.cudnn = cudnn;
        this.cublas = cublas;
        this.staging = staging;
        this.allocator = new DeviceAllocator(scratch, this::drainStream);
        this.descriptors = new Descriptors(scratch, options.tf32() ? Cudnn.CUDNN_TENSOR_OP_MATH() : Cudnn.CUDNN_FMA_MATH());
        this.algorithms = new ConvolutionAlgorithms(cudnn, scratch, options);
        this.workspace = new Workspace(scratch, this::drainStream);
    }

    /** Opens a backend with {@link CudaOptions#defaults()}. */
    public static CudaBackend open() {
        return open(CudaOptions.defaults());
    }

    /**
     * Opens a backend on {@code options.device()}, owned by the calling thread.
     *
     * @throws CudaUnavailableException when the CUDA libraries or a GPU are not usable (exit code 3)
     * @throws IsthmusException         when the device index does not exist (exit code 2)
     * @throws CudaException            when creating the stream or the cuDNN/cuBLAS handles fails
     */
    public static CudaBackend open(CudaOptions options) {
        CudaEnvironment environment = CudaEnvironment.requireUsable();
        List<Gpu> gpus = environment.gpus();
        if (options.device() >= gpus.size()) {
            throw new IsthmusException(IsthmusException.EXIT_BAD_INPUT, "CUDA device " + options.device() + " does not exist: this machine has "
                    + gpus.size() + " GPU" + (gpus.size() == 1 ? "" : "s") + " (devices 0.." + (gpus.size() - 1) + "); choose one of those");
        }
        NativeScratch scratch = new NativeScratch();
        List<Runnable> undo = new ArrayList<>();
        try {
            CudaCheck.cuda(CudaRuntime.cudaSetDevice(options.device()), "cudaSetDevice(" + options.device() + ")");

            CudaCheck.cuda(CudaRuntime.cudaStreamCreateWithFlags(scratch.pointer(), CudaRuntime.cudaStreamNonBlocking()), "cudaStreamCreateWithFlags");
            MemorySegment stream = scratch.pointerValue();
            undo.add(() -> CudaRuntime.cudaStreamDestroy(stream));

            CudaCheck.cudnn(Cudnn.cudnnCreate(scratch.pointer()), "cudnnCreate");
            MemorySegment cudnn = scratch.pointerValue();
            undo.add(() -> Cudnn.cudnnDestroy(cudnn));
            CudaCheck.cudnn(Cudnn.cudnnSetStream(cudnn, stream), "cudnnSetStream");

            CudaCheck.cublas(Cublas.cublasCreate_v2(scratch.pointer()), "cublasCreate_v2");
            MemorySegment cublas = scratch.pointerValue();
            undo.add(() -> Cublas.cublasDestroy_v2(cublas));
            CudaCheck.cublas(Cublas.cublasSetStream_v2(cublas, stream), "cublasSetStream_v2");
            // Scalars (alpha, beta) are host values read when the call is made, so one scratch slot serves all calls.
            CudaCheck.cublas(Cublas.cublasSetPointerMode_v2(cublas, Cublas.CUBLAS_POINTER_MODE_HOST()), "cublasSetPointerMode_v2");
            // DEFAULT_MATH keeps float32 GEMMs in float32 (cuBLAS never lowers precision in it); TF32 only on request.
            CudaCheck.cublas(Cublas.cublasSetMathMode(cublas, options.tf32() ? Cublas.CUBLAS_TF32_TENSOR_OP_MATH() : Cublas.CUBLAS_DEFAULT_MATH()),
                    "cublasSetMathMode");

            PinnedStaging staging = new PinnedStaging(scratch, stream);
            return new CudaBackend(options, gpus.get(options.device()), scratch, stream, cudnn, cublas, staging);
        } catch (RuntimeException | Error e) {
            for (int i = undo.size() - 1; i >= 0; i--) {
                try {
                    undo.get(i).run();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            scratch.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return "cuda";
    }

    public CudaOptions options() {
        return options;
    }

    /** The GPU this backend runs on. */
    public Gpu gpu() {
        return gpu;
    }

    // ================================================================ memory

    @Override
    public Tensor zeros(Shape shape) {
        enter();
        Tensor tensor = allocate(shape);
        try {
            if (shape.bytes() > 0) {
                CudaCheck.cuda(CudaRuntime.cudaMemsetAsync(tensor.segment(), 0, shape.bytes(), stream), "cudaMemsetAsync");
            }
            return tensor;
        } catch (RuntimeException e) {
            throw closing(tensor, e);
        }
    }

    @Override
    public Tensor fromHost(Shape shape, MemorySegment host) {
        enter();
        if (host.byteSize() < shape.bytes()) {
            throw new IllegalArgumentException("fromHost: host memory has " + host.byteSize() + " bytes but shape " + shape + " needs " + shape.bytes());
        }
        Tensor tensor = allocate(shape);
        try {
            staging.upload(host, tensor.segment(), shape.bytes());
            return tensor;
        } catch (RuntimeException e) {
            throw closing(tensor, e);
        }
    }

    @Override
    public Tensor fromArray(Shape shape, float... values) {
        if (values.length != shape.numel()) {
            throw new IllegalArgumentException("fromArray: " + values.length + " values do not fill shape " + shape);
        }
        return fromHost(shape, MemorySegment.ofArray(values));
    }

    @Override
    public void toHost(Tensor source, MemorySegment host) {
        enter();
        MemorySegment device = device("toHost", "source", source);
        long bytes = source.shape().bytes();
        if (host.byteSize() < bytes) {
            throw new IllegalArgumentException("toHost: host memory has " + host.byteSize() + " bytes but tensor " + source.shape() + " needs " + bytes);
        }
        staging.download(device, host, bytes);
    }

    @Override
    public float[] toArray(Tensor tensor) {
        float[] values = new float[Math.toIntExact(tensor.numel())];
        toHost(tensor, MemorySegment.ofArray(values));
        return values;
    }

    @Override
    public void copy(Tensor source, Tensor target) {
        enter();
        if (source.numel() != target.numel()) {
            throw new IllegalArgumentException("copy: source " + source.shape() + " and target " + target.shape() + " differ in element count");
        }
        MemorySegment from = device("copy", "source", source);
        MemorySegment to = device("copy", "target", target);
        if (source.shape().bytes() > 0) {
            CudaCheck.cuda(CudaRuntime.cudaMemcpyAsync(to, from, source.shape().bytes(), CudaRuntime.cudaMemcpyDeviceToDevice(), stream),
                    "cudaMemcpyAsync(device to device)");
        }
    }

    @Override
    public long liveBytes() {
        return allocator.liveBytes();
    }

    /** Bytes of freed tensor blocks the allocator keeps for reuse (not counted in {@link #liveBytes()}). */
    public long pooledBytes() {
        return allocator.pooledBytes();
    }

    /** Bytes of the shared cuDNN workspace. */
    public long workspaceBytes() {
        return workspace.capacity();
    }

    /** Bytes of pinned host memory used for transfers. */
    public long pinnedBytes() {
        return staging.pinnedBytes();
    }

    /** Gives the allocator's cached blocks back to the driver (waits for queued work). */
    public void trim() {
        enter();
        allocator.trim();
    }

    private void drainStream() {
        CudaCheck.cuda(CudaRuntime.cudaStreamSynchronize(stream), "cudaStreamSynchronize");
    }

    /** Waits until all work queued on this backend's stream has finished. */
    public void synchronize() {
        enter();
        CudaCheck.cuda(CudaRuntime.cudaStreamSynchronize(stream), "cudaStreamSynchronize");
    }

    /** Free and total device memory ({@code cudaMemGetInfo}), for leak checks and reports. */
    public DeviceMemory deviceMemory() {
        enter();
        CudaCheck.cuda(CudaRuntime.cudaMemGetInfo(scratch.sizeOut(), scratch.secondSizeOut()), "cudaMemGetInfo");
        return new DeviceMemory(scratch.sizeValue(), scratch.secondSizeValue());
    }

    /** How many times the driver was asked for tensor memory; the pool makes this stop growing. */
    long mallocCalls() {
        return allocator.mallocCalls();
    }

    /** How many cuDNN descriptors exist; stops growing once every shape has been seen. */
    int descriptorCount() {
        return descriptors.count();
    }

    /** How many convolution algorithm choices were made. */
    int algorithmChoices() {
        return algorithms.size();
    }

    /**
     * The cuDNN algorithm chosen for each convolution direction and shape so far, one line each (name,
     * workspace, determinism, math type, and the measured time with {@link AlgorithmSearch#FIND}).
     */
    public List<String> convolutionAlgorithms() {
        enter();
        return algorithms.describe();
    }

    // ================================================================ convolution

    @Override
    public Tensor conv2d(Tensor input, Tensor weight, Tensor bias, Conv2dSpec spec) {
        enter();
        Shape outShape = spec.outputShape(input.shape(), weight.shape());
        MemorySegment x = device("conv2d", "input", input);
        MemorySegment w = device("conv2d", "weight", weight);
        MemorySegment b = null;
        if (bias != null) {
            requireShape("conv2d", "bias", bias, Shape.of(weight.shape().dim(0)));
            b = device("conv2d", "bias", bias);
        }
        Tensor output = allocate(outShape);
        try {
            if (outShape.numel() == 0) return output;
            MemorySegment xDesc = descriptors.tensor(input.shape());
            MemorySegment wDesc = descriptors.filter(weight.shape());
            MemorySegment convDesc = descriptors.convolution(spec);
            MemorySegment yDesc = descriptors.tensor(outShape);
            Choice choice = algorithms.choose(new Problem(Direction.FORWARD, input.shape(), weight.shape(), spec, xDesc, wDesc, convDesc, yDesc));
            MemorySegment ws = workspace.ensure(choice.workspaceBytes());
            CudaCheck.cudnn(Cudnn.cudnnConvolutionForward(cudnn, scratch.one(), xDesc, x, wDesc, w, convDesc, choice.algorithm(),
                    ws, choice.workspaceBytes(), scratch.zero(), yDesc, output.segment()), "cudnnConvolutionForward");
            if (b != null) {
                // y += bias broadcast over N, H, W: the bias is described as [1, K, 1, 1].
                CudaCheck.cudnn(Cudnn.cudnnAddTensor(cudnn, scratch.one(), descriptors.tensor(bias.shape()), b,
                        scratch.one(), yDesc, output.segment()), "cudnnAddTensor(conv2d bias)");
            }
            return output;
        } catch (RuntimeException e) {
            throw closing(output, e);
        }
    }

    @Override
    public Tensor conv2dBackwardInput(Tensor gradOutput, Tensor weight, Shape inputShape, Conv2dSpec spec) {
        enter();
        Shape outShape = spec.outputShape(inputShape, weight.shape());
        requireShape("conv2dBackwardInput", "gradOutput", gradOutput, outShape);
        MemorySegment dy = device("conv2dBackwardInput", "gradOutput", gradOutput);
        MemorySegment w = device("conv2dBackwardInput", "weight", weight);
        Tensor gradInput = allocate(inputShape);
        try {
            if (inputShape.numel() == 0) return gradInput;
            if (outShape.numel() == 0) return zeroFill(gradInput);
            MemorySegment dxDesc = descriptors.tensor(inputShape);
            MemorySegment wDesc = descriptors.filter(weight.shape());
            MemorySegment convDesc = descriptors.convolution(spec);
            MemorySegment dyDesc = descriptors.tensor(outShape);
            Choice choice = algorithms.choose(new Problem(Direction.BACKWARD_DATA, inputShape, weight.shape(), spec, dxDesc, wDesc, convDesc, dyDesc));
            MemorySegment ws = workspace.ensure(choice.workspaceBytes());
            CudaCheck.cudnn(Cudnn.cudnnConvolutionBackwardData(cudnn, scratch.one(), wDesc, w, dyDesc, dy, convDesc, choice.algorithm(),
                    ws, choice.workspaceBytes(), scratch.zero(), dxDesc, gradInput.segment()), "cudnnConvolutionBackwardData");
            return gradInput;
        } catch (RuntimeException e) {
            throw closing(gradInput, e);
        }
    }

    @Override
    public Tensor conv2dBackwardWeight(Tensor input, Tensor gradOutput, Shape weightShape, Conv2dSpec spec) {
        enter();
        Shape outShape = spec.outputShape(input.shape(), weightShape);
        requireShape("conv2dBackwardWeight", "gradOutput", gradOutput, outShape);
        MemorySegment x = device("conv2dBackwardWeight", "input", input);
        MemorySegment dy = device("conv2dBackwardWeight", "gradOutput", gradOutput);
        Tensor gradWeight = allocate(weightShape);
        try {
            if (weightShape.numel() == 0) return gradWeight;
            if (outShape.numel() == 0) return zeroFill(gradWeight);
            MemorySegment xDesc = descriptors.tensor(input.shape());
            MemorySegment dwDesc = descriptors.filter(weightShape);
            MemorySegment convDesc = descriptors.convolution(spec);
            MemorySegment dyDesc = descriptors.tensor(outShape);
            Choice choice = algorithms.choose(new Problem(Direction.BACKWARD_FILTER, input.shape(), weightShape, spec, xDesc, dwDesc, convDesc, dyDesc));
            MemorySegment ws = workspace.ensure(choice.workspaceBytes());
            CudaCheck.cudnn(Cudnn.cudnnConvolutionBackwardFilter(cudnn, scratch.one(), xDesc, x, dyDesc, dy, convDesc, choice.algorithm(),
                    ws, choice.workspaceBytes(), scratch.zero(), dwDesc, gradWeight.segment()), "cudnnConvolutionBackwardFilter");
            return gradWeight;
        } catch (RuntimeException e) {
            throw closing(gradWeight, e);
        }
    }

    @Override
    public Tensor conv2dBackwardBias(Tensor gradOutput) {
        enter();
        requireRank("conv2dBackwardBias", "gradOutput", gradOutput, 4);
        return sumToChannels("conv2dBackwardBias", gradOutput, Shape.of(gradOutput.shape().dim(1)));
    }

    /** Sums [N, K, (H, W)] over everything but K into [K], with cuDNN's bias gradient. */
    private Tensor sumToChannels(String op, Tensor gradOutput, Shape biasShape) {
        MemorySegment dy = device(op, "gradOutput", gradOutput);
        Tensor gradBias = allocate(biasShape);
        try {
            if (biasShape.numel() == 0) return gradBias;
            if (gradOutput.numel() == 0) return zeroFill(gradBias);
            CudaCheck.cudnn(Cudnn.cudnnConvolutionBackwardBias(cudnn, scratch.one(), descriptors.tensor(gradOutput.shape()), dy,
                    scratch.zero(), descriptors.tensor(biasShape), gradBias.segment()), "cudnnConvolutionBackwardBias");
            return gradBias;
        } catch (RuntimeException e) {
            throw closing(gradBias, e);
        }
    }

    // ================================================================ pooling

    private PoolingKind maxPoolingKind() {
        return options.deterministic() ? PoolingKind.MAX_DETERMINISTIC : PoolingKind.MAX;
    }

    @Override
    public Tensor maxPool2d(Tensor input, Pool2dSpec spec) {
        enter();
        return poolForward("maxPool2d", input, spec, maxPoolingKind());
    }

    @Override
    public Tensor maxPool2dBackward(Tensor input, Tensor output, Tensor gradOutput, Pool2dSpec spec) {
        enter();
        Shape outShape = spec.outputShape("maxPool2dBackward", input.shape());
        requireShape("maxPool2dBackward", "output", output, outShape);
        return poolBackward("maxPool2dBackward", input, output, gradOutput, spec, maxPoolingKind());
    }

    @Override
    public Tensor avgPool2d(Tensor input, Pool2dSpec spec) {
        enter();
        return poolForward("avgPool2d", input, spec, PoolingKind.AVERAGE_INCLUDE_PADDING);
    }

    @Override
    public Tensor avgPool2dBackward(Tensor input, Tensor gradOutput, Pool2dSpec spec) {
        enter();
        // Average pooling's gradient does not depend on the forward output; cuDNN still takes a y pointer,
        // and gradOutput has y's shape, so it stands in for it.
        return poolBackward("avgPool2dBackward", input, gradOutput, gradOutput, spec, PoolingKind.AVERAGE_INCLUDE_PADDING);
    }

    private Tensor poolForward(String op, Tensor input, Pool2dSpec spec, PoolingKind kind) {
        Shape outShape = spec.outputShape(op, input.shape());
        MemorySegment x = device(op, "input", input);
        Tensor output = allocate(outShape);
        try {
            if (outShape.numel() == 0) return output;
            CudaCheck.cudnn(Cudnn.cudnnPoolingForward(cudnn, descriptors.pooling(spec, kind), scratch.one(), descriptors.tensor(input.shape()), x,
                    scratch.zero(), descriptors.tensor(outShape), output.segment()), "cudnnPoolingForward(" + kind + ")");
            return output;
        } catch (RuntimeException e) {
            throw closing(output, e);
        }
    }

    private Tensor poolBackward(String op, Tensor input, Tensor output, Tensor gradOutput, Pool2dSpec spec, PoolingKind kind) {
        Shape outShape = spec.outputShape(op, input.shape());
        requireShape(op, "gradOutput", gradOutput, outShape);
        MemorySegment x = device(op, "input", input);
        MemorySegment y = device(op, "output", output);
        MemorySegment dy = device(op, "gradOutput", gradOutput);
        Tensor gradInput = allocate(input.shape());
        try {
            if (input.numel() == 0) return gradInput;
            if (outShape.numel() == 0) return zeroFill(gradInput);
            MemorySegment yDesc = descriptors.tensor(outShape);
            MemorySegment xDesc = descriptors.tensor(input.shape());
            CudaCheck.cudnn(Cudnn.cudnnPoolingBackward(cudnn, descriptors.pooling(spec, kind), scratch.one(), yDesc, y, yDesc, dy,
                    xDesc, x, scratch.zero(), xDesc, gradInput.segment()), "cudnnPoolingBackward(" + kind + ")");
            return gradInput;
        } catch (RuntimeException e) {
            throw closing(gradInput, e);
        }
    }

    // ================================================================ activation

    @Override
    public Tensor relu(Tensor input) {
        enter();
        MemorySegment x = device("relu", "input", input);
        Tensor output = allocate(input.shape());
        try {
            if (input.numel() == 0) return output;
            MemorySegment desc = elementwise(input.shape());
            CudaCheck.cudnn(Cudnn.cudnnActivationForward(cudnn, descriptors.relu(), scratch.one(), desc, x, scratch.zero(), desc, output.segment()),
                    "cudnnActivationForward(RELU)");
            return output;
        } catch (RuntimeException e) {
            throw closing(output, e);
        }
    }

    @Override
    public Tensor reluBackward(Tensor output, Tensor gradOutput) {
        enter();
        requireShape("reluBackward", "gradOutput", gradOutput, output.shape());
        MemorySegment y = device("reluBackward", "output", output);
        MemorySegment dy = device("reluBackward", "gradOutput", gradOutput);
        Tensor gradInput = allocate(output.shape());
        try {
            if (output.numel() == 0) return gradInput;
            MemorySegment desc = elementwise(output.shape());
            // ReLU's derivative is 1 where x > 0, i.e. where y > 0: the output stands in for the input x.
            CudaCheck.cudnn(Cudnn.cudnnActivationBackward(cudnn, descriptors.relu(), scratch.one(), desc, y, desc, dy, desc, y,
                    scratch.zero(), desc, gradInput.segment()), "cudnnActivationBackward(RELU)");
            return gradInput;
        } catch (RuntimeException e) {
            throw closing(gradInput, e);
        }
    }

    // ================================================================ linear

    @Override
    public Tensor linear(Tensor input, Tensor weight, Tensor bias) {
        enter();
        requireRank("linear", "input", input, 2);
        requireRank("linear", "weight", weight, 2);
        int batch = input.shape().dim(0);
        int in = input.shape().dim(1);
        int out = weight.shape().dim(0);
        if (weight.shape().dim(1) != in) {
            throw new IllegalArgumentException("linear: input " + input.shape() + " does not fit weight " + weight.shape() + " (expects [N, " + weight.shape().dim(1) + "])");
        }
        MemorySegment x = device("linear", "input", input);
        MemorySegment w = device("linear", "weight", weight);
        MemorySegment b = null;
        if (bias != null) {
            requireShape("linear", "bias", bias, Shape.of(out));
            b = device("linear", "bias", bias);
        }
        Shape outShape = Shape.of(batch, out);
        Tensor output = allocate(outShape);
        try {
            if (outShape.numel() == 0) return output;
            if (in == 0) {
                zeroFill(output);
            } else {
                sgemm(RowMajorGemm.linearForward(batch, in, out), w, x, output.segment());
            }
            if (b != null) {
                CudaCheck.cudnn(Cudnn.cudnnAddTensor(cudnn, scratch.one(), descriptors.tensor(bias.shape()), b,
                        scratch.one(), descriptors.tensor(outShape), output.segment()), "cudnnAddTensor(linear bias)");
            }
            return output;
        } catch (RuntimeException e) {
            throw closing(output, e);
        }
    }

    @Override
    public Tensor linearBackwardInput(Tensor gradOutput, Tensor weight) {
        enter();
        requireRank("linearBackwardInput", "gradOutput", gradOutput, 2);
        requireRank("linearBackwardInput", "weight", weight, 2);
        int batch = gradOutput.shape().dim(0);
        int out = weight.shape().dim(0);
        int in = weight.shape().dim(1);
        if (gradOutput.shape().dim(1) != out) {
            throw new IllegalArgumentException("linearBackwardInput: gradOutput " + gradOutput.shape() + " does not fit weight " + weight.shape());
        }
        MemorySegment dy = device("linearBackwardInput", "gradOutput", gradOutput);
        MemorySegment w = device("linearBackwardInput", "weight", weight);
        Tensor gradInput = allocate(Shape.of(batch, in));
        try {
            if (gradInput.numel() == 0) return gradInput;
            if (out == 0) return zeroFill(gradInput);
            sgemm(RowMajorGemm.linearBackwardInput(batch, in, out), w, dy, gradInput.segment());
            return gradInput;
        } catch (RuntimeException e) {
            throw closing(gradInput, e);
        }
    }

    @Override
    public Tensor linearBackwardWeight(Tensor input, Tensor gradOutput) {
        enter();
        requireRank("linearBackwardWeight", "input", input, 2);
        requireRank("linearBackwardWeight", "gradOutput", gradOutput, 2);
        int batch = input.shape().dim(0);
        int in = input.shape().dim(1);
        int out = gradOutput.shape().dim(1);
        if (gradOutput.shape().dim(0) != batch) {
            throw new IllegalArgumentException("linearBackwardWeight: input " + input.shape() + " and gradOutput " + gradOutput.shape() + " differ in batch size");
        }
        MemorySegment x = device("linearBackwardWeight", "input", input);
        MemorySegment dy = device("linearBackwardWeight", "gradOutput", gradOutput);
        Tensor gradWeight = allocate(Shape.of(out, in));
        try {
            if (gradWeight.numel() == 0) return gradWeight;
            if (batch == 0) return zeroFill(gradWeight);
            sgemm(RowMajorGemm.linearBackwardWeight(batch, in, out), x, dy, gradWeight.segment());
            return gradWeight;
        } catch (RuntimeException e) {
            throw closing(gradWeight, e);
        }
    }

    @Override
    public Tensor linearBackwardBias(Tensor gradOutput) {
        enter();
        requireRank("linearBackwardBias", "gradOutput", gradOutput, 2);
        // [N, out] is described to cuDNN as [N, out, 1, 1]: the bias gradient sums over N.
        return sumToChannels("linearBackwardBias", gradOutput, Shape.of(gradOutput.shape().dim(1)));
    }

    /** C = op(A)·op(B) with alpha 1, beta 0; the argument mapping is derived and tested in {@link RowMajorGemm}. */
    private void sgemm(RowMajorGemm g, MemorySegment a, MemorySegment b, MemorySegment c) {
        CudaCheck.cublas(Cublas.cublasSgemm_v2(cublas,
                g.transposeA() ? Cublas.CUBLAS_OP_T() : Cublas.CUBLAS_OP_N(),
                g.transposeB() ? Cublas.CUBLAS_OP_T() : Cublas.CUBLAS_OP_N(),
                g.m(), g.n(), g.k(), scratch.one(), a, g.lda(), b, g.ldb(), scratch.zero(), c, g.ldc()), "cublasSgemm_v2");
    }

    // ================================================================ loss

    /**
     * Log-probabilities with cuDNN's log-softmax (max-shifted, so large logits do not overflow); the
     * gradient {@code (softmax − onehot)/N} is formed on the device from cuDNN's softmax scaled by 1/N
     * plus the uploaded one-hot labels scaled by −1/N. The loss needs the host anyway: the N×C
     * log-probabilities are downloaded (one synchronisation) and the labelled ones summed in double.
     */
    @Override
    public CrossEntropy softmaxCrossEntropy(Tensor logits, int[] labels) {
        enter();
        requireRank("softmaxCrossEntropy", "logits", logits, 2);
        int batch = logits.shape().dim(0);
        int classes = logits.shape().dim(1);
        if (labels.length != batch) {
            throw new IllegalArgumentException("softmaxCrossEntropy: " + labels.length + " labels for a batch of " + batch + " (logits " + logits.shape() + ")");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("softmaxCrossEntropy: label " + labels[i] + " at index " + i + " is outside 0.." + (classes - 1));
            }
        }
        if (batch == 0) {
            throw new IllegalArgumentException("softmaxCrossEntropy: the batch is empty (logits " + logits.shape() + "); the mean loss is undefined");
        }
        MemorySegment x = device("softmaxCrossEntropy", "logits", logits);
        int count = batch * classes;
        long bytes = logits.shape().bytes();
        Tensor grad = allocate(logits.shape());
        try (Memory logProbs = allocator.allocate(bytes); Memory oneHot = allocator.allocate(bytes)) {
            MemorySegment desc = descriptors.tensor(batch, classes, 1, 1);
            CudaCheck.cudnn(Cudnn.cudnnSoftmaxForward(cudnn, Cudnn.CUDNN_SOFTMAX_LOG(), Cudnn.CUDNN_SOFTMAX_MODE_INSTANCE(),
                    scratch.one(), desc, x, scratch.zero(), desc, logProbs.segment()), "cudnnSoftmaxForward(LOG)");
            CudaCheck.cudnn(Cudnn.cudnnSoftmaxForward(cudnn, Cudnn.CUDNN_SOFTMAX_ACCURATE(), Cudnn.CUDNN_SOFTMAX_MODE_INSTANCE(),
                    scratch.alpha(1f / batch), desc, x, scratch.zero(), desc, grad.segment()), "cudnnSoftmaxForward(ACCURATE)");
            if (oneHotHost.length < count) {
                oneHotHost = new float[count];
            } else {
                Arrays.fill(oneHotHost, 0, count, 0f);
            }
            for (int i = 0; i < batch; i++) {
                oneHotHost[i * classes + labels[i]] = 1f;
            }
            staging.upload(MemorySegment.ofArray(oneHotHost), oneHot.segment(), bytes);
            CudaCheck.cudnn(Cudnn.cudnnAddTensor(cudnn, scratch.alpha(-1f / batch), desc, oneHot.segment(), scratch.one(), desc, grad.segment()),
                    "cudnnAddTensor(cross-entropy one-hot)");
            if (logProbHost.length < count) {
                logProbHost = new float[count];
            }
            staging.download(logProbs.segment(), MemorySegment.ofArray(logProbHost), bytes);
            double sum = 0;
            for (int i = 0; i < batch; i++) {
                sum -= logProbHost[i * classes + labels[i]];
            }
            return new CrossEntropy((float) (sum / batch), grad);
        } catch (RuntimeException e) {
            throw closing(grad, e);
        }
    }

    // ================================================================ structure

    /**
     * Each input is one strided 2-D copy: N rows of C_i·H·W floats, packed in the source (pitch
     * C_i·H·W·4 bytes) and placed at channel offset c_i of every output row (pitch C_total·H·W·4 bytes).
     */
    @Override
    public Tensor concatChannels(List<Tensor> inputs) {
        enter();
        if (inputs.isEmpty()) throw new IllegalArgumentException("concatChannels: needs at least one input");
        Shape first = inputs.getFirst().shape();
        int channels = 0;
        for (int i = 0; i < inputs.size(); i++) {
            Tensor t = inputs.get(i);
            requireRank("concatChannels", "input " + i, t, 4);
            Shape s = t.shape();
            if (s.dim(0) != first.dim(0) || s.dim(2) != first.dim(2) || s.dim(3) != first.dim(3)) {
                throw new IllegalArgumentException("concatChannels: input " + i + " " + s + " differs from input 0 " + first + " outside the channel axis");
            }
            device("concatChannels", "input " + i, t);
            channels += s.dim(1);
        }
        Shape outShape = Shape.of(first.dim(0), channels, first.dim(2), first.dim(3));
        long plane = (long) first.dim(2) * first.dim(3) * Float.BYTES;
        Tensor output = allocate(outShape);
        try {
            long offset = 0;
            for (Tensor t : inputs) {
                long width = t.shape().dim(1) * plane;
                if (width > 0 && first.dim(0) > 0) {
                    CudaCheck.cuda(CudaRuntime.cudaMemcpy2DAsync(PinnedStaging.offset(output.segment(), offset), channels * plane,
                            t.segment(), width, width, first.dim(0), CudaRuntime.cudaMemcpyDeviceToDevice(), stream), "cudaMemcpy2DAsync(concat)");
                }
                offset += width;
            }
            return output;
        } catch (RuntimeException e) {
            throw closing(output, e);
        }
    }

    @Override
    public List<Tensor> splitChannels(Tensor input, int[] channels) {
        enter();
        requireRank("splitChannels", "input", input, 4);
        Shape s = input.shape();
        int total = 0;
        for (int c : channels) {
            if (c < 0) throw new IllegalArgumentException("splitChannels: negative channel count in " + Arrays.toString(channels));
            total += c;
        }
        if (total != s.dim(1)) {
            throw new IllegalArgumentException("splitChannels: parts " + Arrays.toString(channels) + " add up to " + total + " channels but input " + s + " has " + s.dim(1));
        }
        MemorySegment x = device("splitChannels", "input", input);
        long plane = (long) s.dim(2) * s.dim(3) * Float.BYTES;
        List<Tensor> parts = new ArrayList<>(channels.length);
        try {
            long offset = 0;
            for (int c : channels) {
                Tensor part = allocate(Shape.of(s.dim(0), c, s.dim(2), s.dim(3)));
                parts.add(part);
                long width = c * plane;
                if (width > 0 && s.dim(0) > 0) {
                    CudaCheck.cuda(CudaRuntime.cudaMemcpy2DAsync(part.segment(), width, PinnedStaging.offset(x, offset), total * plane,
                            width, s.dim(0), CudaRuntime.cudaMemcpyDeviceToDevice(), stream), "cudaMemcpy2DAsync(split)");
                }
                offset += width;
            }
            return parts;
        } catch (RuntimeException e) {
            for (Tensor part : parts) part.close();
            throw e;
        }
    }

    /** a + b as one {@code cublasSgeam} on the tensors viewed as numel×1 column-major matrices. */
    @Override
    public Tensor add(Tensor a, Tensor b) {
        enter();
        requireShape("add", "b", b, a.shape());
        MemorySegment pa = device("add", "a", a);
        MemorySegment pb = device("add", "b", b);
        Tensor sum = allocate(a.shape());
        try {
            int n = elementCount("add", a);
            if (n == 0) return sum;
            CudaCheck.cublas(Cublas.cublasSgeam(cublas, Cublas.CUBLAS_OP_N(), Cublas.CUBLAS_OP_N(), n, 1,
                    scratch.one(), pa, n, scratch.one(), pb, n, sum.segment(), n), "cublasSgeam(add)");
            return sum;
        } catch (RuntimeException e) {
            throw closing(sum, e);
        }
    }

    // ================================================================ optimisation

    /**
     * {@code buf = momentum·buf + grad (+ weightDecay·param); param −= lr·buf} as three or four cuBLAS
     * level-1 calls (Sscal, Saxpy) queued on the stream.
     */
    @Override
    public void sgdMomentumStep(Tensor param, Tensor grad, Tensor momentumBuffer, float lr, float momentum, float weightDecay) {
        enter();
        requireShape("sgdMomentumStep", "grad", grad, param.shape());
        requireShape("sgdMomentumStep", "momentumBuffer", momentumBuffer, param.shape());
        MemorySegment p = device("sgdMomentumStep", "param", param);
        MemorySegment g = device("sgdMomentumStep", "grad", grad);
        MemorySegment buf = device("sgdMomentumStep", "momentumBuffer", momentumBuffer);
        int n = elementCount("sgdMomentumStep", param);
        if (n == 0) return;
        CudaCheck.cublas(Cublas.cublasSscal_v2(cublas, n, scratch.alpha(momentum), buf, 1), "cublasSscal_v2(momentum)");
        CudaCheck.cublas(Cublas.cublasSaxpy_v2(cublas, n, scratch.one(), g, 1, buf, 1), "cublasSaxpy_v2(gradient)");
        if (weightDecay != 0f) {
            CudaCheck.cublas(Cublas.cublasSaxpy_v2(cublas, n, scratch.alpha(weightDecay), p, 1, buf, 1), "cublasSaxpy_v2(weight decay)");
        }
        CudaCheck.cublas(Cublas.cublasSaxpy_v2(cublas, n, scratch.alpha(-lr), buf, 1, p, 1), "cublasSaxpy_v2(update)");
    }

    // ================================================================ lifecycle

    /**
     * Waits for queued work, then frees descriptors, the workspace, all tensor memory (live tensors
     * become unusable), pinned buffers, the handles and the stream. Harmless when repeated.
     *
     * @throws IllegalStateException when called from another thread than the one that opened the backend
     */
    @Override
    public void close() {
        if (closed) return;
        checkThread();
        closed = true;
        RuntimeException first = null;
        Runnable[] steps = {
                () -> CudaCheck.cuda(CudaRuntime.cudaStreamSynchronize(stream), "cudaStreamSynchronize"),
                descriptors::close,
                workspace::close,
                allocator::close,
                staging::close,
                () -> CudaCheck.cublas(Cublas.cublasDestroy_v2(cublas), "cublasDestroy_v2"),
                () -> CudaCheck.cudnn(Cudnn.cudnnDestroy(cudnn), "cudnnDestroy"),
                () -> CudaCheck.cuda(CudaRuntime.cudaStreamDestroy(stream), "cudaStreamDestroy"),
                scratch::close};
        for (Runnable step : steps) {
            try {
                step.run();
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        if (first != null) throw first;
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "CudaBackend[" + gpu.describe() + ", " + options + (closed ? ", closed" : "") + "]";
    }

    // ================================================================ helpers

    /** Every public entry point starts here: the backend must be open and used from its own thread. */
    private void enter() {
        if (closed) {
            throw new IllegalStateException("the cuda backend is closed; open a new one (tensors of a closed backend cannot be used)");
        }
        checkThread();
    }

    private void checkThread() {
        Thread current = Thread.currentThread();
        if (current != owner) {
            throw new IllegalStateException("this CudaBackend belongs to thread '" + owner.getName() + "', which opened it, but was called from thread '"
                    + current.getName() + "'; open one backend per thread");
        }
    }

    private Tensor allocate(Shape shape) {
        return new Tensor(shape, this, allocator.allocate(shape.bytes()));
    }

    /** The device address of a tensor of this backend; throws naming the op and argument otherwise. */
    private MemorySegment device(String op, String argument, Tensor tensor) {
        if (tensor == null) {
            throw new IllegalArgumentException(op + ": " + argument + " is null");
        }
        if (tensor.backend() != this) {
            throw new IllegalArgumentException(op + ": " + argument + " " + tensor.shape() + " belongs to backend '" + tensor.backend().name()
                    + "', not to this cuda backend; move it first (Model.to, fromArray)");
        }
        if (tensor.isClosed()) {
            throw new IllegalStateException(Backend.closedTensorMessage(op, argument, tensor));
        }
        return tensor.segment();
    }

    private static void requireShape(String op, String argument, Tensor tensor, Shape expected) {
        if (tensor == null) {
            throw new IllegalArgumentException(op + ": " + argument + " is null");
        }
        if (!tensor.shape().equals(expected)) {
            throw new IllegalArgumentException(op + ": " + argument + " has shape " + tensor.shape() + " but " + expected + " was expected");
        }
    }

    private static void requireRank(String op, String argument, Tensor tensor, int rank) {
        if (tensor == null) {
            throw new IllegalArgumentException(op + ": " + argument + " is null");
        }
        if (tensor.shape().rank() != rank) {
            throw new IllegalArgumentException(op + ": " + argument + " must be " + rank + "-D, got " + tensor.shape());
        }
    }

    private static int elementCount(String op, Tensor tensor) {
        if (tensor.numel() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": tensor " + tensor.shape() + " has more than 2^31-1 elements, more than cuBLAS addresses");
        }
        return (int) tensor.numel();
    }

    /** A descriptor for an elementwise op: the 4-D shape itself, or [dim0, rest, 1, 1] for other ranks. */
    private MemorySegment elementwise(Shape shape) {
        if (shape.rank() == 4) return descriptors.tensor(shape);
        if (shape.rank() == 0) return descriptors.tensor(1, 1, 1, 1);
        int first = shape.dim(0);
        return descriptors.tensor(first, (int) (shape.numel() / first), 1, 1);
    }

    private Tensor zeroFill(Tensor tensor) {
        CudaCheck.cuda(CudaRuntime.cudaMemsetAsync(tensor.segment(), 0, tensor.shape().bytes(), stream), "cudaMemsetAsync");
        return tensor;
    }

    /** Frees an op's half-made result before its failure propagates, so a failed op leaks nothing. */
    private static RuntimeException closing(Tensor tensor, RuntimeException failure) {
        try {
            tensor.close();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
        return failure;
    }
}
