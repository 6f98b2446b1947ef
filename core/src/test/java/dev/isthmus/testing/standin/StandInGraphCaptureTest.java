package dev.isthmus.testing.standin;

import dev.isthmus.bindings.cublas.Cublas;
import dev.isthmus.bindings.cudart.CudaRuntime;
import dev.isthmus.bindings.cudnn.Cudnn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static dev.isthmus.testing.standin.StandInSession.cublas;
import static dev.isthmus.testing.standin.StandInSession.cuda;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Graph capture on the stand-in (docs/cuda-standin.md, "Graph capture"): work queued on a capturing stream is
 * recorded, not run, and launching the graph replays it with the same results as running it eagerly; what
 * CUDA refuses during capture is refused with CUDA's status and invalidates the capture.
 */
@Tag("standin")
class StandInGraphCaptureTest {
    private static final int BATCH = 2, CHANNELS = 3, SIZE = 6, OUT = 4;

    private static StandInControls controls;
    private StandInSession session;
    private MemorySegment stream;
    private long graphsBefore;

    @BeforeAll
    static void loadStandIn() {
        CudaStandIn.loadForBindings();
        controls = StandInControls.open();
    }

    @BeforeEach
    void openSession() {
        graphsBefore = controls.liveGraphs();
        session = new StandInSession();
        MemorySegment out = session.arena().allocate(ADDRESS);
        cuda(CudaRuntime.cudaStreamCreateWithFlags(out, CudaRuntime.cudaStreamNonBlocking()), "cudaStreamCreateWithFlags");
        stream = out.get(ADDRESS, 0);
        session.cudnn(Cudnn.cudnnSetStream(session.cudnn, stream), "cudnnSetStream");
        cublas(Cublas.cublasSetStream_v2(session.cublas, stream), "cublasSetStream");
    }

    @AfterEach
    void closeSession() {
        cuda(CudaRuntime.cudaStreamDestroy(stream), "cudaStreamDestroy");
        session.close();
        assertEquals(0, controls.activeCaptures(), "no capture is left running");
        assertEquals(graphsBefore, controls.liveGraphs(), "every graph and executable graph is destroyed");
    }

    /** The device buffers of a small training-like step: upload, convolution, ReLU, bias, a GEMM and an update. */
    private final class Step {
        final MemorySegment pinnedInput, input, weights, convolved, activated, bias, dense, denseWeights;
        final MemorySegment xDesc = session.tensor(BATCH, CHANNELS, SIZE, SIZE), wDesc = session.filter(OUT, CHANNELS, 3, 3);
        final MemorySegment yDesc = session.tensor(BATCH, OUT, SIZE - 2, SIZE - 2), biasDesc = session.tensor(1, OUT, 1, 1);
        final MemorySegment convDesc = session.convolution(0, 0, 1, 1, 1, 1, Cudnn.CUDNN_CROSS_CORRELATION());
        final MemorySegment relu = session.activation(Cudnn.CUDNN_ACTIVATION_RELU());
        final MemorySegment alpha = session.scalar(1f), beta = session.scalar(0f), rate = session.scalar(-0.01f);
        final int features = OUT * (SIZE - 2) * (SIZE - 2);

        Step(long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            float[] image = floats(random, BATCH * CHANNELS * SIZE * SIZE);
            pinnedInput = pinned(image);
            input = session.deviceFloats(image.length);
            weights = session.device(floats(random, OUT * CHANNELS * 9));
            convolved = session.deviceFloats(BATCH * features);
            activated = session.deviceFloats(BATCH * features);
            bias = session.device(floats(random, OUT));
            denseWeights = session.device(floats(random, features * 5));
            dense = session.deviceFloats(BATCH * 5);
        }

        /** Queues one step on the stream; the host scalars are rewritten after each call, as Isthmus's scratch slots are. */
        void enqueue() {
            long imageBytes = (long) BATCH * CHANNELS * SIZE * SIZE * 4;
            cuda(CudaRuntime.cudaMemcpyAsync(input, pinnedInput, imageBytes, CudaRuntime.cudaMemcpyHostToDevice(), stream), "upload");
            session.cudnn(Cudnn.cudnnConvolutionForward(session.cudnn, alpha, xDesc, input, wDesc, weights, convDesc,
                    Cudnn.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM(), MemorySegment.NULL, 0, beta, yDesc, convolved), "conv");
            session.cudnn(Cudnn.cudnnAddTensor(session.cudnn, alpha, biasDesc, bias, alpha, yDesc, convolved), "bias");
            session.cudnn(Cudnn.cudnnActivationForward(session.cudnn, relu, alpha, yDesc, convolved, beta, yDesc, activated), "relu");
            cublas(Cublas.cublasSgemm_v2(session.cublas, Cublas.CUBLAS_OP_N(), Cublas.CUBLAS_OP_N(), 5, BATCH, features, alpha,
                    denseWeights, 5, activated, features, beta, dense, 5), "gemm");
            // An "optimizer" that feeds the next step: weights += -0.01 * convolved[0..n), bias *= 0.5.
            cublas(Cublas.cublasSaxpy_v2(session.cublas, OUT * CHANNELS * 9, rate, convolved, 1, weights, 1), "axpy");
            alpha.set(JAVA_FLOAT, 0, 0.5f);
            cublas(Cublas.cublasSscal_v2(session.cublas, OUT, alpha, bias, 1), "scal");
            alpha.set(JAVA_FLOAT, 0, 1f);
            cuda(CudaRuntime.cudaMemsetAsync(convolved, 0, 4L * features, stream), "memset");
        }

        float[] state() {
            cuda(CudaRuntime.cudaStreamSynchronize(stream), "cudaStreamSynchronize");
            float[] weightsNow = session.read(weights, OUT * CHANNELS * 9);
            float[] denseNow = session.read(dense, BATCH * 5);
            float[] biasNow = session.read(bias, OUT);
            float[] all = new float[weightsNow.length + denseNow.length + biasNow.length];
            System.arraycopy(weightsNow, 0, all, 0, weightsNow.length);
            System.arraycopy(denseNow, 0, all, weightsNow.length, denseNow.length);
            System.arraycopy(biasNow, 0, all, weightsNow.length + denseNow.length, biasNow.length);
            return all;
        }
    }

    private static float[] floats(SplittableRandom random, int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float) random.nextDouble(-1, 1);
        return values;
    }

    private MemorySegment pinned(float[] values) {
        MemorySegment out = session.arena().allocate(ADDRESS);
        cuda(CudaRuntime.cudaMallocHost(out, values.length * 4L), "cudaMallocHost");
        MemorySegment host = out.get(ADDRESS, 0).reinterpret(values.length * 4L);
        MemorySegment.copy(values, 0, host, JAVA_FLOAT, 0, values.length);
        return host;
    }

    private MemorySegment capture(Runnable work) {
        cuda(CudaRuntime.cudaStreamBeginCapture(stream, CudaRuntime.cudaStreamCaptureModeGlobal()), "cudaStreamBeginCapture");
        work.run();
        MemorySegment out = session.arena().allocate(ADDRESS);
        cuda(CudaRuntime.cudaStreamEndCapture(stream, out), "cudaStreamEndCapture");
        return out.get(ADDRESS, 0);
    }

    private MemorySegment instantiate(MemorySegment graph) {
        MemorySegment out = session.arena().allocate(ADDRESS);
        cuda(CudaRuntime.cudaGraphInstantiate(out, graph, 0), "cudaGraphInstantiate");
        return out.get(ADDRESS, 0);
    }

    @Test
    void replayingACapturedStepGivesTheSameNumbersAsRunningItEagerly() {
        Step eager = new Step(7), graphed = new Step(7);
        float[] before = graphed.state();
        MemorySegment graph = capture(graphed::enqueue);
        assertArrayEquals(before, graphed.state(), "capturing runs nothing");
        MemorySegment exec = instantiate(graph);
        cuda(CudaRuntime.cudaGraphDestroy(graph), "cudaGraphDestroy"); // the executable graph outlives its graph
        for (int step = 0; step < 5; step++) {
            eager.enqueue();
            cuda(CudaRuntime.cudaGraphLaunch(exec, stream), "cudaGraphLaunch");
            assertArrayEquals(eager.state(), graphed.state(), "after step " + step + ", bit for bit");
        }
        assertTrue(!java.util.Arrays.equals(before, graphed.state()), "the steps changed the weights");
        cuda(CudaRuntime.cudaGraphExecDestroy(exec), "cudaGraphExecDestroy");
    }

    @Test
    void hostScalarsAreCapturedByValue() {
        MemorySegment x = session.device(1, 2, 3), y = session.device(0, 0, 0);
        MemorySegment alpha = session.scalar(2f);
        MemorySegment graph = capture(() -> cublas(Cublas.cublasSaxpy_v2(session.cublas, 3, alpha, x, 1, y, 1), "axpy"));
        MemorySegment exec = instantiate(graph);
        cuda(CudaRuntime.cudaGraphDestroy(graph), "cudaGraphDestroy");
        alpha.set(JAVA_FLOAT, 0, 100f); // cuBLAS read 2 when the call was made
        cuda(CudaRuntime.cudaGraphLaunch(exec, stream), "cudaGraphLaunch");
        cuda(CudaRuntime.cudaStreamSynchronize(stream), "cudaStreamSynchronize");
        assertArrayEquals(new float[] {2, 4, 6}, session.read(y, 3));
        cuda(CudaRuntime.cudaGraphExecDestroy(exec), "cudaGraphExecDestroy");
    }

    /** Begins a Global capture, makes the call, expects its status, then expects the capture to end invalidated. */
    private void refusedAndInvalidates(int expectedStatus, java.util.function.IntSupplier call) {
        cuda(CudaRuntime.cudaStreamBeginCapture(stream, CudaRuntime.cudaStreamCaptureModeGlobal()), "cudaStreamBeginCapture");
        assertEquals(expectedStatus, call.getAsInt(), controls.runtimeErrorDetail());
        MemorySegment status = session.arena().allocate(JAVA_INT);
        cuda(CudaRuntime.cudaStreamIsCapturing(stream, status), "cudaStreamIsCapturing");
        assertEquals(CudaRuntime.cudaStreamCaptureStatusInvalidated(), status.get(JAVA_INT, 0));
        MemorySegment graph = session.arena().allocate(ADDRESS);
        assertEquals(CudaRuntime.cudaErrorStreamCaptureInvalidated(), CudaRuntime.cudaStreamEndCapture(stream, graph));
        assertEquals(MemorySegment.NULL, graph.get(ADDRESS, 0));
        CudaRuntime.cudaGetLastError();
    }

    @Test
    void whatCudaRefusesDuringCaptureIsRefusedAndInvalidatesTheCapture() {
        int unsupported = CudaRuntime.cudaErrorStreamCaptureUnsupported();
        MemorySegment device = session.device(1, 2);
        MemorySegment host = session.arena().allocate(JAVA_FLOAT, 2);
        MemorySegment pointer = session.arena().allocate(ADDRESS);
        refusedAndInvalidates(unsupported, () -> CudaRuntime.cudaMalloc(pointer, 64));
        refusedAndInvalidates(unsupported, () -> CudaRuntime.cudaMemcpy(host, device, 8, CudaRuntime.cudaMemcpyDeviceToHost()));
        refusedAndInvalidates(unsupported, () -> CudaRuntime.cudaStreamSynchronize(stream));
        refusedAndInvalidates(unsupported, CudaRuntime::cudaDeviceSynchronize);
        refusedAndInvalidates(unsupported, () -> CudaRuntime.cudaMallocHost(pointer, 64));
    }

    @Test
    void workAfterAnInvalidatingCallIsRefusedToo() {
        MemorySegment device = session.device(1, 2);
        MemorySegment pointer = session.arena().allocate(ADDRESS);
        refusedAndInvalidates(CudaRuntime.cudaErrorStreamCaptureUnsupported(), () -> {
            int status = CudaRuntime.cudaMalloc(pointer, 64);
            assertEquals(CudaRuntime.cudaErrorStreamCaptureInvalidated(), CudaRuntime.cudaMemsetAsync(device, 0, 8, stream));
            assertEquals(Cublas.CUBLAS_STATUS_EXECUTION_FAILED(),
                    Cublas.cublasSscal_v2(session.cublas, 2, session.scalar(2f), device, 1));
            return status;
        });
        assertArrayEquals(new float[] {1, 2}, session.read(device, 2), "nothing of the invalidated capture ran");
    }

    @Test
    void relaxedCapturePermitsAllocation() {
        MemorySegment pointer = session.arena().allocate(ADDRESS);
        cuda(CudaRuntime.cudaStreamBeginCapture(stream, CudaRuntime.cudaStreamCaptureModeRelaxed()), "cudaStreamBeginCapture");
        cuda(CudaRuntime.cudaMalloc(pointer, 64), "cudaMalloc");
        MemorySegment graph = session.arena().allocate(ADDRESS);
        cuda(CudaRuntime.cudaStreamEndCapture(stream, graph), "cudaStreamEndCapture");
        cuda(CudaRuntime.cudaGraphDestroy(graph.get(ADDRESS, 0)), "cudaGraphDestroy");
        cuda(CudaRuntime.cudaFree(pointer.get(ADDRESS, 0)), "cudaFree");
    }

    @Test
    void captureStateErrors() {
        MemorySegment graph = session.arena().allocate(ADDRESS);
        assertEquals(CudaRuntime.cudaErrorStreamCaptureUnsupported(),
                CudaRuntime.cudaStreamBeginCapture(MemorySegment.NULL, CudaRuntime.cudaStreamCaptureModeGlobal()),
                "the legacy stream cannot capture");
        assertEquals(401, CudaRuntime.cudaStreamEndCapture(stream, graph), "cudaErrorIllegalState: not capturing");
        cuda(CudaRuntime.cudaStreamBeginCapture(stream, CudaRuntime.cudaStreamCaptureModeGlobal()), "cudaStreamBeginCapture");
        assertEquals(401, CudaRuntime.cudaStreamBeginCapture(stream, CudaRuntime.cudaStreamCaptureModeGlobal()),
                "cudaErrorIllegalState: already capturing");
        cuda(CudaRuntime.cudaStreamEndCapture(stream, graph), "cudaStreamEndCapture");
        cuda(CudaRuntime.cudaGraphDestroy(graph.get(ADDRESS, 0)), "cudaGraphDestroy");
        assertEquals(CudaRuntime.cudaErrorInvalidValue(), CudaRuntime.cudaGraphDestroy(graph.get(ADDRESS, 0)), "destroyed twice");
        CudaRuntime.cudaGetLastError();
    }

    @Test
    void anEventRecordedDuringCaptureCannotBeWaitedFor() {
        MemorySegment out = session.arena().allocate(ADDRESS);
        cuda(CudaRuntime.cudaEventCreate(out), "cudaEventCreate");
        MemorySegment event = out.get(ADDRESS, 0);
        MemorySegment graph = capture(() -> cuda(CudaRuntime.cudaEventRecord(event, stream), "cudaEventRecord"));
        assertEquals(907, CudaRuntime.cudaEventSynchronize(event), "cudaErrorCapturedEvent");
        cuda(CudaRuntime.cudaGraphDestroy(graph), "cudaGraphDestroy");
        cuda(CudaRuntime.cudaEventDestroy(event), "cudaEventDestroy");
        CudaRuntime.cudaGetLastError();
    }

    @Test
    void aHostResultOfCublasIsRefusedDuringCapture() {
        MemorySegment x = session.device(1, 2);
        MemorySegment result = session.arena().allocate(JAVA_FLOAT);
        cuda(CudaRuntime.cudaStreamBeginCapture(stream, CudaRuntime.cudaStreamCaptureModeGlobal()), "cudaStreamBeginCapture");
        assertEquals(Cublas.CUBLAS_STATUS_NOT_SUPPORTED(), Cublas.cublasSdot_v2(session.cublas, 2, x, 1, x, 1, result));
        MemorySegment graph = session.arena().allocate(ADDRESS);
        cuda(CudaRuntime.cudaStreamEndCapture(stream, graph), "cudaStreamEndCapture");
        cuda(CudaRuntime.cudaGraphDestroy(graph.get(ADDRESS, 0)), "cudaGraphDestroy");
    }
}
