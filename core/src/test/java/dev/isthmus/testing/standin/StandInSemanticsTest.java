package dev.isthmus.testing.standin;

import dev.isthmus.bindings.cublas.Cublas;
import dev.isthmus.bindings.cudart.CudaRuntime;
import dev.isthmus.bindings.cudnn.Cudnn;
import dev.isthmus.bindings.cudnn.cudnnConvolutionFwdAlgoPerfStruct;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the stand-in computes and refuses, checked against results worked out by hand, the lesson's examples,
 * and identities (a convolution's backward passes are its adjoints). Every status expected here is the one
 * NVIDIA documents for the situation.
 */
@Tag("standin")
class StandInSemanticsTest {
    /** The lesson's 5x5 image and 3x3 kernel 1..9 (cli DemoCommand, values checked against PyTorch). */
    private static final float[] IMAGE_5X5 = {
            3, 4, 6, 5, 7,
            2, 4, 6, 8, 2,
            1, 6, 7, 8, 4,
            9, 7, 4, 6, 2,
            3, 7, 5, 4, 1};
    private static final float[] KERNEL_1_TO_9 = {1, 2, 3, 4, 5, 6, 7, 8, 9};

    private static StandInControls controls;
    private StandInSession session;
    private long bytesBefore;
    private long cudnnObjectsBefore;
    private long cublasHandlesBefore;
    private MemorySegment one;
    private MemorySegment zero;

    @BeforeAll
    static void loadStandIn() {
        CudaStandIn.loadForBindings();
        controls = StandInControls.open();
    }

    @BeforeEach
    void openSession() {
        // Other stand-in tests share this JVM and may hold objects of their own: compare with the counts before.
        bytesBefore = controls.liveDeviceBytes();
        cudnnObjectsBefore = controls.liveCudnnObjects();
        cublasHandlesBefore = controls.liveCublasHandles();
        session = new StandInSession();
        one = session.scalar(1f);
        zero = session.scalar(0f);
    }

    @AfterEach
    void closeSession() {
        controls.failAllocationsAfter(-1);
        session.close();
        assertEquals(bytesBefore, controls.liveDeviceBytes(), "the session frees every device buffer");
        assertEquals(cudnnObjectsBefore, controls.liveCudnnObjects(), "the session destroys every cuDNN handle and descriptor");
        assertEquals(cublasHandlesBefore, controls.liveCublasHandles(), "the session destroys its cuBLAS handle");
    }

    // ------------------------------------------------------------------ cuBLAS

    @Test
    void sgemmIsColumnMajor() {
        // A = [[1,2,3],[4,5,6]] (2x3), B = [[7,8],[9,10],[11,12]] (3x2), A·B = [[58,64],[139,154]].
        MemorySegment a = session.device(1, 4, 2, 5, 3, 6);          // column-major A, lda = 2
        MemorySegment aRowMajor = session.device(1, 2, 3, 4, 5, 6);  // the same bytes read column-major are Aᵀ (3x2)
        MemorySegment b = session.device(7, 9, 11, 8, 10, 12);       // column-major B, ldb = 3
        MemorySegment c = session.deviceFloats(4);                    // NaN-filled: beta = 0 must not read it
        StandInSession.cublas(Cublas.cublasSgemm_v2(session.cublas, Cublas.CUBLAS_OP_N(), Cublas.CUBLAS_OP_N(), 2, 2, 3, one,
                a, 2, b, 3, zero, c, 2), "cublasSgemm");
        assertArrayEquals(new float[] {58, 139, 64, 154}, session.read(c, 4));

        MemorySegment c2 = session.deviceFloats(4);
        StandInSession.cublas(Cublas.cublasSgemm_v2(session.cublas, Cublas.CUBLAS_OP_T(), Cublas.CUBLAS_OP_N(), 2, 2, 3, one,
                aRowMajor, 3, b, 3, zero, c2, 2), "cublasSgemm (transa = T)");
        assertArrayEquals(new float[] {58, 139, 64, 154}, session.read(c2, 4));

        // C = 2·A·B + 1·C accumulates.
        StandInSession.cublas(Cublas.cublasSgemm_v2(session.cublas, Cublas.CUBLAS_OP_N(), Cublas.CUBLAS_OP_N(), 2, 2, 3,
                session.scalar(2f), a, 2, b, 3, one, c, 2), "cublasSgemm (beta = 1)");
        assertArrayEquals(new float[] {174, 417, 192, 462}, session.read(c, 4));
    }

    @Test
    void sgemmRejectsALeadingDimensionSmallerThanTheRows() {
        MemorySegment a = session.device(1, 4, 2, 5, 3, 6);
        MemorySegment b = session.device(7, 9, 11, 8, 10, 12);
        MemorySegment c = session.deviceFloats(4);
        // transa = N needs lda >= max(1, m) = 2.
        assertEquals(Cublas.CUBLAS_STATUS_INVALID_VALUE(), Cublas.cublasSgemm_v2(session.cublas, Cublas.CUBLAS_OP_N(),
                Cublas.CUBLAS_OP_N(), 2, 2, 3, one, a, 1, b, 3, zero, c, 2));
        // transb = T needs ldb >= max(1, n) = 2; n = 2 here, so ldb = 1 is refused.
        assertEquals(Cublas.CUBLAS_STATUS_INVALID_VALUE(), Cublas.cublasSgemm_v2(session.cublas, Cublas.CUBLAS_OP_N(),
                Cublas.CUBLAS_OP_T(), 2, 2, 3, one, a, 2, b, 1, zero, c, 2));
        assertTrue(controls.cublasErrorDetail().contains("ldb"), controls.cublasErrorDetail());
    }

    @Test
    void aDestroyedCublasHandleIsNotInitialized() {
        MemorySegment out = session.arena().allocate(ADDRESS);
        StandInSession.cublas(Cublas.cublasCreate_v2(out), "cublasCreate");
        MemorySegment handle = out.get(ADDRESS, 0);
        StandInSession.cublas(Cublas.cublasDestroy_v2(handle), "cublasDestroy");
        MemorySegment x = session.device(1, 2, 3);
        assertAll(
                () -> assertEquals(Cublas.CUBLAS_STATUS_NOT_INITIALIZED(), Cublas.cublasSscal_v2(handle, 3, one, x, 1)),
                () -> assertEquals(Cublas.CUBLAS_STATUS_NOT_INITIALIZED(), Cublas.cublasDestroy_v2(handle)),
                () -> assertEquals(Cublas.CUBLAS_STATUS_NOT_INITIALIZED(),
                        Cublas.cublasSscal_v2(MemorySegment.NULL, 3, one, x, 1)));
    }

    @Test
    void levelOneAndGeamFollowBlas() {
        MemorySegment x = session.device(1, 2, 3);
        MemorySegment y = session.device(10, 20, 30);
        StandInSession.cublas(Cublas.cublasSaxpy_v2(session.cublas, 3, session.scalar(2f), x, 1, y, 1), "cublasSaxpy");
        assertArrayEquals(new float[] {12, 24, 36}, session.read(y, 3));
        StandInSession.cublas(Cublas.cublasSscal_v2(session.cublas, 3, session.scalar(0.5f), y, 1), "cublasSscal");
        assertArrayEquals(new float[] {6, 12, 18}, session.read(y, 3));
        MemorySegment dot = session.arena().allocate(JAVA_FLOAT);
        StandInSession.cublas(Cublas.cublasSdot_v2(session.cublas, 3, x, 1, y, 1, dot), "cublasSdot");
        assertEquals(84f, dot.get(JAVA_FLOAT, 0));

        // geam transposes: C (3x2) = Aᵀ with A = [[1,2,3],[4,5,6]] stored column-major.
        MemorySegment a = session.device(1, 4, 2, 5, 3, 6);
        MemorySegment c = session.deviceFloats(6);
        StandInSession.cublas(Cublas.cublasSgeam(session.cublas, Cublas.CUBLAS_OP_T(), Cublas.CUBLAS_OP_N(), 3, 2, one, a, 2,
                zero, MemorySegment.NULL, 3, c, 3), "cublasSgeam");
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, session.read(c, 6));
    }

    /** Bandwidth 0 is a diagonal matrix: the solve is the elementwise quotient Adam's update divides with. */
    @Test
    void tbsvWithBandwidthZeroDividesElementwise() {
        MemorySegment diagonal = session.device(2, -4, 0.5f, 8);
        MemorySegment x = session.device(1, 2, 3, -16);
        StandInSession.cublas(Cublas.cublasStbsv_v2(session.cublas, Cublas.CUBLAS_FILL_MODE_LOWER(), Cublas.CUBLAS_OP_N(),
                Cublas.CUBLAS_DIAG_NON_UNIT(), 4, 0, diagonal, 1, x, 1), "cublasStbsv");
        assertArrayEquals(new float[] {0.5f, -0.5f, 6, -2}, session.read(x, 4));
        // A unit diagonal is not read: x stays.
        StandInSession.cublas(Cublas.cublasStbsv_v2(session.cublas, Cublas.CUBLAS_FILL_MODE_UPPER(), Cublas.CUBLAS_OP_T(),
                Cublas.CUBLAS_DIAG_UNIT(), 4, 0, diagonal, 1, x, 1), "cublasStbsv (unit)");
        assertArrayEquals(new float[] {0.5f, -0.5f, 6, -2}, session.read(x, 4));
    }

    /** A = [[2, 0], [1, 4]] lower with k = 1 in band storage (column-major, lda = 2: diagonal row 0, sub-diagonal row 1). */
    @Test
    void tbsvSolvesBandedSystemsForwardAndTransposed() {
        MemorySegment band = session.device(2, 1, 4, 0);
        MemorySegment x = session.device(4, 10);           // A·[2, 2] = [4, 10]
        StandInSession.cublas(Cublas.cublasStbsv_v2(session.cublas, Cublas.CUBLAS_FILL_MODE_LOWER(), Cublas.CUBLAS_OP_N(),
                Cublas.CUBLAS_DIAG_NON_UNIT(), 2, 1, band, 2, x, 1), "cublasStbsv (lower, N)");
        assertArrayEquals(new float[] {2, 2}, session.read(x, 2));
        MemorySegment y = session.device(6, 8);            // Aᵀ = [[2, 1], [0, 4]]: Aᵀ·[2, 2] = [6, 8]
        StandInSession.cublas(Cublas.cublasStbsv_v2(session.cublas, Cublas.CUBLAS_FILL_MODE_LOWER(), Cublas.CUBLAS_OP_T(),
                Cublas.CUBLAS_DIAG_NON_UNIT(), 2, 1, band, 2, y, 1), "cublasStbsv (lower, T)");
        assertArrayEquals(new float[] {2, 2}, session.read(y, 2));
    }

    /** What NVIDIA documents as CUBLAS_STATUS_INVALID_VALUE for cublas<t>tbsv. */
    @Test
    void tbsvRefusesWhatCublasRefuses() {
        MemorySegment a = session.device(1, 1, 1), x = session.device(1, 1, 1);
        int lower = Cublas.CUBLAS_FILL_MODE_LOWER(), n = Cublas.CUBLAS_OP_N(), nonUnit = Cublas.CUBLAS_DIAG_NON_UNIT();
        int invalid = Cublas.CUBLAS_STATUS_INVALID_VALUE();
        assertAll(
                () -> assertEquals(invalid, Cublas.cublasStbsv_v2(session.cublas, 7, n, nonUnit, 3, 0, a, 1, x, 1), "uplo"),
                () -> assertEquals(invalid, Cublas.cublasStbsv_v2(session.cublas, lower, 9, nonUnit, 3, 0, a, 1, x, 1), "trans"),
                () -> assertEquals(invalid, Cublas.cublasStbsv_v2(session.cublas, lower, n, 5, 3, 0, a, 1, x, 1), "diag"),
                () -> assertEquals(invalid, Cublas.cublasStbsv_v2(session.cublas, lower, n, nonUnit, -1, 0, a, 1, x, 1), "n < 0"),
                () -> assertEquals(invalid, Cublas.cublasStbsv_v2(session.cublas, lower, n, nonUnit, 3, -1, a, 1, x, 1), "k < 0"),
                () -> assertEquals(invalid, Cublas.cublasStbsv_v2(session.cublas, lower, n, nonUnit, 3, 1, a, 1, x, 1), "lda < k + 1"),
                () -> assertEquals(invalid, Cublas.cublasStbsv_v2(session.cublas, lower, n, nonUnit, 3, 0, a, 1, x, 0), "incx == 0"),
                () -> assertEquals(Cublas.CUBLAS_STATUS_SUCCESS(), Cublas.cublasStbsv_v2(session.cublas, lower, n, nonUnit, 0, 0, a, 1, x, 1),
                        "n = 0 does nothing"));
        assertArrayEquals(new float[] {1, 1, 1}, session.read(x, 3), "refused calls leave x alone");
    }

    @Test
    void cublasRefusesMemoryOutsideAnyDeviceAllocation() {
        MemorySegment host = session.arena().allocateFrom(JAVA_FLOAT, 1, 2, 3);
        assertEquals(Cublas.CUBLAS_STATUS_EXECUTION_FAILED(), Cublas.cublasSscal_v2(session.cublas, 3, one, host, 1));
        MemorySegment tooShort = session.device(1, 2);
        assertEquals(Cublas.CUBLAS_STATUS_EXECUTION_FAILED(), Cublas.cublasSscal_v2(session.cublas, 3, one, tooShort, 1));
    }

    // ------------------------------------------------------------------ convolution

    @Test
    void convolutionForwardReproducesTheLessonsExamples() {
        MemorySegment xDesc = session.tensor(1, 1, 5, 5);
        MemorySegment wDesc = session.filter(1, 1, 3, 3);
        MemorySegment x = session.device(IMAGE_5X5);
        MemorySegment w = session.device(KERNEL_1_TO_9);

        MemorySegment padded = session.convolution(1, 1, 1, 1, 1, 1, Cudnn.CUDNN_CROSS_CORRELATION());
        float[] out = forward(xDesc, x, wDesc, w, padded, session.tensor(1, 1, 5, 5), 25,
                Cudnn.CUDNN_CONVOLUTION_FWD_ALGO_GEMM());
        assertArrayEquals(new float[] {
                91, 168, 224, 215, 127,
                114, 211, 295, 262, 149,
                192, 259, 282, 214, 122,
                194, 251, 253, 169, 86,
                96, 112, 110, 68, 31}, out);

        MemorySegment strided = session.convolution(0, 0, 2, 2, 1, 1, Cudnn.CUDNN_CROSS_CORRELATION());
        assertArrayEquals(new float[] {211, 262, 251, 169}, forward(xDesc, x, wDesc, w, strided, session.tensor(1, 1, 2, 2), 4,
                Cudnn.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM()));
    }

    @Test
    void convolutionModeFlipsTheFilter() {
        MemorySegment xDesc = session.tensor(1, 1, 5, 5);
        MemorySegment wDesc = session.filter(1, 1, 3, 3);
        MemorySegment yDesc = session.tensor(1, 1, 5, 5);
        MemorySegment x = session.device(IMAGE_5X5);
        float[] flipped = new float[9];
        for (int i = 0; i < 9; i++) {
            flipped[i] = KERNEL_1_TO_9[8 - i];
        }
        float[] convolution = forward(xDesc, x, wDesc, session.device(KERNEL_1_TO_9),
                session.convolution(1, 1, 1, 1, 1, 1, Cudnn.CUDNN_CONVOLUTION()), yDesc, 25,
                Cudnn.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM());
        float[] correlation = forward(xDesc, x, wDesc, session.device(flipped),
                session.convolution(1, 1, 1, 1, 1, 1, Cudnn.CUDNN_CROSS_CORRELATION()), yDesc, 25,
                Cudnn.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM());
        assertArrayEquals(correlation, convolution);
    }

    /** The backward passes are the adjoints of the forward pass: ⟨conv(x, w), dy⟩ = ⟨x, dx(dy, w)⟩ = ⟨w, dw(x, dy)⟩. */
    @Test
    void convolutionBackwardPassesAreAdjointsOfTheForwardPass() {
        for (int mode : new int[] {Cudnn.CUDNN_CROSS_CORRELATION(), Cudnn.CUDNN_CONVOLUTION()}) {
            SplittableRandom random = new SplittableRandom(mode + 7);
            int n = 2, c = 3, h = 7, wd = 6, k = 4, r = 3, s = 2;
            MemorySegment conv = session.convolution(1, 2, 2, 1, 1, 2, mode);
            MemorySegment xDesc = session.tensor(n, c, h, wd);
            MemorySegment wDesc = session.filter(k, c, r, s);
            MemorySegment dims = session.arena().allocate(JAVA_INT, 4);
            session.cudnn(Cudnn.cudnnGetConvolution2dForwardOutputDim(conv, xDesc, wDesc, dims, dims.asSlice(4),
                    dims.asSlice(8), dims.asSlice(12)), "cudnnGetConvolution2dForwardOutputDim");
            int[] out = dims.toArray(JAVA_INT);
            // 1 + (7 + 2 - 3) / 2 = 4 rows; 1 + (6 + 4 - ((2 - 1) * 2 + 1)) / 1 = 8 columns.
            assertArrayEquals(new int[] {n, k, 4, 8}, out);
            MemorySegment yDesc = session.tensor(n, k, out[2], out[3]);
            float[] xs = random(random, n * c * h * wd), ws = random(random, k * c * r * s);
            float[] dys = random(random, n * k * out[2] * out[3]);
            MemorySegment x = session.device(xs), w = session.device(ws), dy = session.device(dys);

            float[] y = forward(xDesc, x, wDesc, w, conv, yDesc, dys.length, Cudnn.CUDNN_CONVOLUTION_FWD_ALGO_GEMM());
            MemorySegment dx = session.deviceFloats(xs.length);
            session.cudnn(Cudnn.cudnnConvolutionBackwardData(session.cudnn, one, wDesc, w, yDesc, dy, conv,
                    Cudnn.CUDNN_CONVOLUTION_BWD_DATA_ALGO_0(), MemorySegment.NULL, 0, zero, xDesc, dx),
                    "cudnnConvolutionBackwardData");
            MemorySegment dw = session.deviceFloats(ws.length);
            session.cudnn(Cudnn.cudnnConvolutionBackwardFilter(session.cudnn, one, xDesc, x, yDesc, dy, conv,
                    Cudnn.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_0(), MemorySegment.NULL, 0, zero, wDesc, dw),
                    "cudnnConvolutionBackwardFilter");
            double forward = dot(y, dys);
            assertEquals(forward, dot(xs, session.read(dx, xs.length)), 1e-3 * Math.abs(forward) + 1e-3, "dx, mode " + mode);
            assertEquals(forward, dot(ws, session.read(dw, ws.length)), 1e-3 * Math.abs(forward) + 1e-3, "dw, mode " + mode);
        }
    }

    @Test
    void backwardBiasSumsOverBatchAndSpace() {
        MemorySegment dyDesc = session.tensor(2, 2, 1, 2);
        MemorySegment dy = session.device(1, 2, 3, 4, 5, 6, 7, 8); // n0: c0 {1,2} c1 {3,4}; n1: c0 {5,6} c1 {7,8}
        MemorySegment db = session.device(100, 100);
        session.cudnn(Cudnn.cudnnConvolutionBackwardBias(session.cudnn, one, dyDesc, dy, one, session.tensor(1, 2, 1, 1), db),
                "cudnnConvolutionBackwardBias");
        assertArrayEquals(new float[] {114, 122}, session.read(db, 2));
        assertEquals(Cudnn.CUDNN_STATUS_BAD_PARAM(), Cudnn.cudnnConvolutionBackwardBias(session.cudnn, one, dyDesc, dy, one,
                session.tensor(1, 2, 1, 2), db));
    }

    @Test
    void aWorkspaceSmallerThanTheQueriedSizeIsBadParam() {
        MemorySegment xDesc = session.tensor(1, 1, 5, 5);
        MemorySegment wDesc = session.filter(1, 1, 3, 3);
        MemorySegment yDesc = session.tensor(1, 1, 5, 5);
        MemorySegment conv = session.convolution(1, 1, 1, 1, 1, 1, Cudnn.CUDNN_CROSS_CORRELATION());
        MemorySegment size = session.sizeOut();
        session.cudnn(Cudnn.cudnnGetConvolutionForwardWorkspaceSize(session.cudnn, xDesc, wDesc, conv, yDesc,
                Cudnn.CUDNN_CONVOLUTION_FWD_ALGO_GEMM(), size), "cudnnGetConvolutionForwardWorkspaceSize");
        long required = size.get(JAVA_LONG, 0);
        assertEquals(9L * 25 * 4, required, "the stand-in's GEMM needs one image's im2col matrix");
        MemorySegment workspace = session.deviceBytes(required);
        MemorySegment x = session.device(IMAGE_5X5), w = session.device(KERNEL_1_TO_9), y = session.deviceFloats(25);
        int status = Cudnn.cudnnConvolutionForward(session.cudnn, one, xDesc, x, wDesc, w, conv,
                Cudnn.CUDNN_CONVOLUTION_FWD_ALGO_GEMM(), workspace, required - 4, zero, yDesc, y);
        assertEquals(Cudnn.CUDNN_STATUS_BAD_PARAM(), status);
        assertTrue(session.cudnnLastError().contains("workspace"), session.cudnnLastError());
        assertEquals(Cudnn.CUDNN_STATUS_BAD_PARAM(), Cudnn.cudnnConvolutionForward(session.cudnn, one, xDesc, x, wDesc, w,
                conv, Cudnn.CUDNN_CONVOLUTION_FWD_ALGO_GEMM(), MemorySegment.NULL, 0, zero, yDesc, y));
        // An algorithm the stand-in lacks is NOT_SUPPORTED, as cuDNN reports for unsupported configurations.
        assertEquals(Cudnn.CUDNN_STATUS_NOT_SUPPORTED(), Cudnn.cudnnConvolutionForward(session.cudnn, one, xDesc, x, wDesc, w,
                conv, Cudnn.CUDNN_CONVOLUTION_FWD_ALGO_FFT(), workspace, required, zero, yDesc, y));
    }

    @Test
    void findListsRunnableAlgorithmsFirstFastestFirst() {
        MemorySegment xDesc = session.tensor(2, 3, 8, 8);
        MemorySegment wDesc = session.filter(4, 3, 3, 3);
        MemorySegment yDesc = session.tensor(2, 4, 6, 6);
        MemorySegment conv = session.convolution(0, 0, 1, 1, 1, 1, Cudnn.CUDNN_CROSS_CORRELATION());
        MemorySegment count = session.arena().allocate(JAVA_INT);
        MemorySegment results = cudnnConvolutionFwdAlgoPerfStruct.allocateArray(8, session.arena());
        session.cudnn(Cudnn.cudnnFindConvolutionForwardAlgorithm(session.cudnn, xDesc, wDesc, conv, yDesc, 8, count, results),
                "cudnnFindConvolutionForwardAlgorithm");
        assertEquals(8, count.get(JAVA_INT, 0));
        float previous = 0;
        boolean failedSeen = false;
        for (int i = 0; i < 8; i++) {
            MemorySegment perf = cudnnConvolutionFwdAlgoPerfStruct.asSlice(results, i);
            boolean success = cudnnConvolutionFwdAlgoPerfStruct.status(perf) == Cudnn.CUDNN_STATUS_SUCCESS();
            if (success) {
                assertFalse(failedSeen, "a runnable algorithm listed after one that cannot run");
                assertTrue(cudnnConvolutionFwdAlgoPerfStruct.time(perf) >= previous, "times ascend");
                previous = cudnnConvolutionFwdAlgoPerfStruct.time(perf);
            }
            failedSeen |= !success;
        }
        MemorySegment first = cudnnConvolutionFwdAlgoPerfStruct.asSlice(results, 0);
        assertEquals(Cudnn.CUDNN_CONVOLUTION_FWD_ALGO_GEMM(), cudnnConvolutionFwdAlgoPerfStruct.algo(first));
        assertTrue(cudnnConvolutionFwdAlgoPerfStruct.memory(first) > 0, "the fastest needs a workspace");
        assertEquals(Cudnn.CUDNN_DETERMINISTIC(), cudnnConvolutionFwdAlgoPerfStruct.determinism(first));
        assertTrue(failedSeen, "algorithms the stand-in lacks are listed as not supported");
    }

    @Test
    void badDescriptorsAreBadParam() {
        MemorySegment unset = session.createTensor();
        MemorySegment c = session.tensor(1, 2, 1, 1);
        MemorySegment a = session.device(1, 2), out = session.device(0, 0);
        assertEquals(Cudnn.CUDNN_STATUS_BAD_PARAM(), Cudnn.cudnnAddTensor(session.cudnn, one, unset, a, one, c, out));
        assertEquals(Cudnn.CUDNN_STATUS_BAD_PARAM(), Cudnn.cudnnSetTensor4dDescriptor(unset, Cudnn.CUDNN_TENSOR_NCHW(),
                Cudnn.CUDNN_DATA_FLOAT(), 1, 0, 2, 2));
        assertEquals(Cudnn.CUDNN_STATUS_BAD_PARAM(), Cudnn.cudnnSetTensor4dDescriptor(unset, 7, Cudnn.CUDNN_DATA_FLOAT(),
                1, 1, 2, 2));
        assertEquals(Cudnn.CUDNN_STATUS_NOT_SUPPORTED(), Cudnn.cudnnSetTensor4dDescriptor(unset, Cudnn.CUDNN_TENSOR_NCHW(),
                Cudnn.CUDNN_DATA_HALF(), 1, 1, 2, 2));
        // y's shape must be the convolution's output shape.
        MemorySegment xDesc = session.tensor(1, 1, 5, 5);
        MemorySegment wDesc = session.filter(1, 1, 3, 3);
        MemorySegment conv = session.convolution(0, 0, 1, 1, 1, 1, Cudnn.CUDNN_CROSS_CORRELATION());
        MemorySegment x = session.device(IMAGE_5X5), w = session.device(KERNEL_1_TO_9), y = session.deviceFloats(25);
        assertEquals(Cudnn.CUDNN_STATUS_BAD_PARAM(), Cudnn.cudnnConvolutionForward(session.cudnn, one, xDesc, x, wDesc, w,
                conv, Cudnn.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM(), MemorySegment.NULL, 0, zero,
                session.tensor(1, 1, 5, 5), y));
        assertTrue(session.cudnnLastError().contains("expected 1x1x3x3"), session.cudnnLastError());
        assertEquals(Cudnn.CUDNN_STATUS_BAD_PARAM(), Cudnn.cudnnConvolutionForward(session.cudnn, one, xDesc, MemorySegment.NULL,
                wDesc, w, conv, Cudnn.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM(), MemorySegment.NULL, 0, zero,
                session.tensor(1, 1, 3, 3), y));
        assertEquals(Cudnn.CUDNN_STATUS_BAD_PARAM(), Cudnn.cudnnSetConvolution2dDescriptor(conv, -1, 0, 1, 1, 1, 1,
                Cudnn.CUDNN_CROSS_CORRELATION(), Cudnn.CUDNN_DATA_FLOAT()));
        assertEquals(Cudnn.CUDNN_STATUS_BAD_PARAM(), Cudnn.cudnnCreate(MemorySegment.NULL));
    }

    // ------------------------------------------------------------------ pooling, activation, softmax

    @Test
    void maxPoolingReproducesTheLessonAndRoutesGradientsToTheMaxima() {
        MemorySegment xDesc = session.tensor(1, 1, 4, 4);
        MemorySegment yDesc = session.tensor(1, 1, 2, 2);
        MemorySegment pool = session.pooling(Cudnn.CUDNN_POOLING_MAX(), 2, 0, 2);
        MemorySegment x = session.device(3, 4, 6, 5, 2, 4, 6, 8, 1, 6, 7, 8, 9, 7, 4, 6);
        MemorySegment y = session.deviceFloats(4);
        session.cudnn(Cudnn.cudnnPoolingForward(session.cudnn, pool, one, xDesc, x, zero, yDesc, y), "cudnnPoolingForward");
        assertArrayEquals(new float[] {4, 8, 9, 8}, session.read(y, 4));

        MemorySegment dy = session.device(1, 2, 3, 4);
        MemorySegment dx = session.deviceFloats(16);
        session.cudnn(Cudnn.cudnnPoolingBackward(session.cudnn, pool, one, yDesc, y, yDesc, dy, xDesc, x, zero, xDesc, dx),
                "cudnnPoolingBackward");
        assertArrayEquals(new float[] {
                0, 1, 0, 0,
                0, 0, 0, 2,
                0, 0, 0, 4,
                3, 0, 0, 0}, session.read(dx, 16));
    }

    @Test
    void averagePoolingCountsPaddingOnlyWhenAskedTo() {
        MemorySegment xDesc = session.tensor(1, 1, 2, 2);
        MemorySegment yDesc = session.tensor(1, 1, 2, 2);
        MemorySegment x = session.device(1, 1, 1, 1);
        MemorySegment y = session.deviceFloats(4);
        session.cudnn(Cudnn.cudnnPoolingForward(session.cudnn,
                session.pooling(Cudnn.CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING(), 3, 1, 1), one, xDesc, x, zero, yDesc, y),
                "cudnnPoolingForward (include padding)");
        assertArrayEquals(new float[] {4 / 9f, 4 / 9f, 4 / 9f, 4 / 9f}, session.read(y, 4), 1e-6f);
        session.cudnn(Cudnn.cudnnPoolingForward(session.cudnn,
                session.pooling(Cudnn.CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING(), 3, 1, 1), one, xDesc, x, zero, yDesc, y),
                "cudnnPoolingForward (exclude padding)");
        assertArrayEquals(new float[] {1, 1, 1, 1}, session.read(y, 4), 1e-6f);
    }

    @Test
    void reluForwardAndBackward() {
        MemorySegment desc = session.tensor(1, 1, 1, 4);
        MemorySegment relu = session.activation(Cudnn.CUDNN_ACTIVATION_RELU());
        MemorySegment x = session.device(-2, -0.5f, 0.5f, 3);
        MemorySegment y = session.deviceFloats(4);
        session.cudnn(Cudnn.cudnnActivationForward(session.cudnn, relu, one, desc, x, zero, desc, y), "cudnnActivationForward");
        assertArrayEquals(new float[] {0, 0, 0.5f, 3}, session.read(y, 4));
        MemorySegment dy = session.device(1, 2, 3, 4);
        MemorySegment dx = session.device(10, 10, 10, 10);
        session.cudnn(Cudnn.cudnnActivationBackward(session.cudnn, relu, one, desc, y, desc, dy, desc, x, one, desc, dx),
                "cudnnActivationBackward");
        assertArrayEquals(new float[] {10, 10, 13, 14}, session.read(dx, 4), "dx = relu'(x)·dy + 1·dx");
    }

    @Test
    void softmaxAndLogSoftmaxOverInstancesAndChannels() {
        MemorySegment desc = session.tensor(2, 3, 1, 1);
        MemorySegment x = session.device(1, 2, 3, 1000, 1000, 1000);
        MemorySegment y = session.deviceFloats(6);
        session.cudnn(Cudnn.cudnnSoftmaxForward(session.cudnn, Cudnn.CUDNN_SOFTMAX_ACCURATE(),
                Cudnn.CUDNN_SOFTMAX_MODE_INSTANCE(), one, desc, x, zero, desc, y), "cudnnSoftmaxForward");
        double sum = Math.exp(1) + Math.exp(2) + Math.exp(3);
        assertArrayEquals(new float[] {(float) (Math.exp(1) / sum), (float) (Math.exp(2) / sum), (float) (Math.exp(3) / sum),
                1 / 3f, 1 / 3f, 1 / 3f}, session.read(y, 6), 1e-6f);
        session.cudnn(Cudnn.cudnnSoftmaxForward(session.cudnn, Cudnn.CUDNN_SOFTMAX_LOG(), Cudnn.CUDNN_SOFTMAX_MODE_CHANNEL(),
                one, desc, x, zero, desc, y), "cudnnSoftmaxForward (log)");
        float[] logs = session.read(y, 6);
        assertEquals(1 - Math.log(sum), logs[0], 1e-5);
        assertEquals(-Math.log(3), logs[5], 1e-5);

        // Log-softmax backward: dx = dy - exp(y)·sum(dy); with dy = one-hot(label) that is the cross-entropy gradient's negative.
        MemorySegment dy = session.device(0, 0, 1, 0, 1, 0);
        MemorySegment dx = session.deviceFloats(6);
        session.cudnn(Cudnn.cudnnSoftmaxBackward(session.cudnn, Cudnn.CUDNN_SOFTMAX_LOG(), Cudnn.CUDNN_SOFTMAX_MODE_CHANNEL(),
                one, desc, y, desc, dy, zero, desc, dx), "cudnnSoftmaxBackward");
        float[] grad = session.read(dx, 6);
        assertEquals(1 - Math.exp(3) / sum, grad[2], 1e-5);
        assertEquals(-1 / 3.0, grad[3], 1e-5);
    }

    // ------------------------------------------------------------------ tensor arithmetic

    @Test
    void addTensorBroadcastsABiasAndBetaZeroIgnoresNaN() {
        MemorySegment biasDesc = session.tensor(1, 2, 1, 1);
        MemorySegment outDesc = session.tensor(2, 2, 1, 2);
        MemorySegment bias = session.device(10, 20);
        MemorySegment out = session.deviceFloats(8); // NaN
        session.cudnn(Cudnn.cudnnAddTensor(session.cudnn, one, biasDesc, bias, zero, outDesc, out), "cudnnAddTensor");
        assertArrayEquals(new float[] {10, 10, 20, 20, 10, 10, 20, 20}, session.read(out, 8));
        session.cudnn(Cudnn.cudnnAddTensor(session.cudnn, one, biasDesc, bias, one, outDesc, out), "cudnnAddTensor");
        assertArrayEquals(new float[] {20, 20, 40, 40, 20, 20, 40, 40}, session.read(out, 8));
        assertEquals(Cudnn.CUDNN_STATUS_BAD_PARAM(), Cudnn.cudnnAddTensor(session.cudnn, one, session.tensor(1, 3, 1, 1),
                session.device(1, 2, 3), one, outDesc, out));
    }

    @Test
    void opTensorReduceTensorAndTransformTensor() {
        MemorySegment full = session.tensor(1, 2, 1, 3);
        MemorySegment a = session.device(1, 5, 3, 4, 2, 6);
        MemorySegment b = session.device(2, 2, 2);
        MemorySegment c = session.deviceFloats(6);
        session.cudnn(Cudnn.cudnnOpTensor(session.cudnn, session.opTensor(Cudnn.CUDNN_OP_TENSOR_MAX()), one, full, a, one,
                session.tensor(1, 1, 1, 3), b, zero, full, c), "cudnnOpTensor");
        assertArrayEquals(new float[] {2, 5, 3, 4, 2, 6}, session.read(c, 6));

        // Reduce 1x2x1x3 to 1x2x1x1: MAX with indices, then ADD.
        MemorySegment reduced = session.tensor(1, 2, 1, 1);
        MemorySegment max = session.reduceTensor(Cudnn.CUDNN_REDUCE_TENSOR_MAX(), Cudnn.CUDNN_REDUCE_TENSOR_FLATTENED_INDICES());
        MemorySegment size = session.sizeOut();
        session.cudnn(Cudnn.cudnnGetReductionWorkspaceSize(session.cudnn, max, full, reduced, size), "workspace size");
        long workspaceBytes = size.get(JAVA_LONG, 0);
        session.cudnn(Cudnn.cudnnGetReductionIndicesSize(session.cudnn, max, full, reduced, size), "indices size");
        long indexBytes = size.get(JAVA_LONG, 0);
        assertEquals(8, indexBytes);
        MemorySegment workspace = session.deviceBytes(workspaceBytes), indices = session.deviceBytes(indexBytes);
        MemorySegment out = session.deviceFloats(2);
        assertEquals(Cudnn.CUDNN_STATUS_BAD_PARAM(), Cudnn.cudnnReduceTensor(session.cudnn, max, indices, indexBytes,
                workspace, workspaceBytes - 1, one, full, a, zero, reduced, out));
        session.cudnn(Cudnn.cudnnReduceTensor(session.cudnn, max, indices, indexBytes, workspace, workspaceBytes, one, full, a,
                zero, reduced, out), "cudnnReduceTensor (max)");
        assertArrayEquals(new float[] {5, 6}, session.read(out, 2));
        MemorySegment hostIndices = session.arena().allocate(JAVA_INT, 2);
        StandInSession.cuda(CudaRuntime.cudaMemcpy(hostIndices, indices, 8, CudaRuntime.cudaMemcpyDeviceToHost()), "cudaMemcpy");
        assertArrayEquals(new int[] {1, 2}, hostIndices.toArray(JAVA_INT));
        MemorySegment add = session.reduceTensor(Cudnn.CUDNN_REDUCE_TENSOR_ADD(), Cudnn.CUDNN_REDUCE_TENSOR_NO_INDICES());
        session.cudnn(Cudnn.cudnnReduceTensor(session.cudnn, add, MemorySegment.NULL, 0, workspace, workspaceBytes, one, full,
                a, zero, reduced, out), "cudnnReduceTensor (add)");
        assertArrayEquals(new float[] {9, 12}, session.read(out, 2));

        // Transform into channels 1..2 of a 1x3x1x3 tensor: the channel-concatenation pattern.
        MemorySegment target = session.device(0, 0, 0, 0, 0, 0, 0, 0, 0);
        MemorySegment slice = session.stridedTensor(1, 2, 1, 3, 9, 3, 3, 1);
        session.cudnn(Cudnn.cudnnTransformTensor(session.cudnn, one, full, a, zero, slice,
                target.reinterpret(36).asSlice(12)), "cudnnTransformTensor");
        assertArrayEquals(new float[] {0, 0, 0, 1, 5, 3, 4, 2, 6}, session.read(target, 9));
    }

    // ------------------------------------------------------------------ runtime

    @Test
    void allocationFailuresCanBeInjected() {
        controls.failAllocationsAfter(2);
        session.deviceBytes(64);
        session.deviceBytes(64);
        MemorySegment pointer = session.arena().allocate(ADDRESS);
        assertEquals(CudaRuntime.cudaErrorMemoryAllocation(), CudaRuntime.cudaMalloc(pointer, 64));
        assertEquals(CudaRuntime.cudaErrorMemoryAllocation(), CudaRuntime.cudaGetLastError());
        assertEquals(CudaRuntime.cudaSuccess(), CudaRuntime.cudaGetLastError(), "cudaGetLastError resets the error");
        assertEquals(bytesBefore + 128, controls.liveDeviceBytes());
        controls.failAllocationsAfter(-1);
        session.deviceBytes(64);
        assertEquals(bytesBefore + 192, controls.liveDeviceBytes());
        MemorySegment free = session.sizeOut(), total = session.sizeOut();
        StandInSession.cuda(CudaRuntime.cudaMemGetInfo(free, total), "cudaMemGetInfo");
        assertEquals(total.get(JAVA_LONG, 0) - controls.liveDeviceBytes(), free.get(JAVA_LONG, 0));
    }

    @Test
    void copiesAreCheckedAgainstTheirDirectionAndPitch() {
        MemorySegment host = session.arena().allocateFrom(JAVA_FLOAT, 1, 2, 3, 4, 5, 6);
        MemorySegment device = session.deviceFloats(6);
        // Host memory named as the device side of a copy (undefined behaviour on a GPU) is refused.
        assertEquals(CudaRuntime.cudaErrorInvalidValue(), CudaRuntime.cudaMemcpy(host, device, 24,
                CudaRuntime.cudaMemcpyHostToDevice()));
        // A copy running past the end of its allocation is refused.
        assertEquals(CudaRuntime.cudaErrorInvalidValue(), CudaRuntime.cudaMemcpy(device, host, 28,
                CudaRuntime.cudaMemcpyHostToDevice()));
        long invalidDirection = controls.constants(StandInControls.Library.CUDART).get("cudaErrorInvalidMemcpyDirection");
        assertEquals(invalidDirection, CudaRuntime.cudaMemcpy(device, host, 24, 9));
        long invalidPitch = controls.constants(StandInControls.Library.CUDART).get("cudaErrorInvalidPitchValue");
        assertEquals(invalidPitch, CudaRuntime.cudaMemcpy2DAsync(device, 4, host, 12, 8, 2,
                CudaRuntime.cudaMemcpyHostToDevice(), MemorySegment.NULL), "dpitch < width");
        // Rows of 2 floats from a host matrix with 3 floats per row, packed on the device.
        StandInSession.cuda(CudaRuntime.cudaMemcpy2DAsync(device, 8, host, 12, 8, 2, CudaRuntime.cudaMemcpyHostToDevice(),
                MemorySegment.NULL), "cudaMemcpy2DAsync");
        assertArrayEquals(new float[] {1, 2, 4, 5}, session.read(device, 4));
        assertEquals("invalid pitch argument", CudaRuntime.cudaGetErrorString((int) invalidPitch).getString(0));
    }

    @Test
    void freeingMemoryThatQueuedWorkStillUsesIsCounted() {
        MemorySegment out = session.arena().allocate(ADDRESS);
        StandInSession.cuda(CudaRuntime.cudaStreamCreateWithFlags(out, CudaRuntime.cudaStreamNonBlocking()), "cudaStreamCreate");
        MemorySegment stream = out.get(ADDRESS, 0);
        try {
            long before = controls.freesWithPendingWork();
            // Synchronised before the free: fine.
            StandInSession.cuda(CudaRuntime.cudaMalloc(out, 64), "cudaMalloc");
            MemorySegment waited = out.get(ADDRESS, 0);
            StandInSession.cuda(CudaRuntime.cudaMemsetAsync(waited, 0, 64, stream), "cudaMemsetAsync");
            StandInSession.cuda(CudaRuntime.cudaStreamSynchronize(stream), "cudaStreamSynchronize");
            StandInSession.cuda(CudaRuntime.cudaFree(waited), "cudaFree");
            assertEquals(before, controls.freesWithPendingWork());

            // A cuBLAS call queued on the stream, then a free with no synchronisation: counted.
            StandInSession.cublas(Cublas.cublasSetStream_v2(session.cublas, stream), "cublasSetStream");
            StandInSession.cuda(CudaRuntime.cudaMalloc(out, 64), "cudaMalloc");
            MemorySegment pending = out.get(ADDRESS, 0);
            StandInSession.cuda(CudaRuntime.cudaMemset(pending, 0, 64), "cudaMemset");
            StandInSession.cublas(Cublas.cublasSscal_v2(session.cublas, 16, one, pending, 1), "cublasSscal");
            StandInSession.cuda(CudaRuntime.cudaFree(pending), "cudaFree");
            assertEquals(before + 1, controls.freesWithPendingWork());
            assertTrue(controls.lastPendingFree().contains("cudaFree of 64 bytes"), controls.lastPendingFree());
        } finally {
            StandInSession.cublas(Cublas.cublasSetStream_v2(session.cublas, MemorySegment.NULL), "cublasSetStream");
            StandInSession.cuda(CudaRuntime.cudaStreamDestroy(stream), "cudaStreamDestroy");
        }
    }

    private float[] forward(MemorySegment xDesc, MemorySegment x, MemorySegment wDesc, MemorySegment w, MemorySegment conv,
                            MemorySegment yDesc, int count, int algorithm) {
        MemorySegment size = session.sizeOut();
        session.cudnn(Cudnn.cudnnGetConvolutionForwardWorkspaceSize(session.cudnn, xDesc, wDesc, conv, yDesc, algorithm, size),
                "cudnnGetConvolutionForwardWorkspaceSize");
        long bytes = size.get(JAVA_LONG, 0);
        MemorySegment workspace = bytes == 0 ? MemorySegment.NULL : session.deviceBytes(bytes);
        MemorySegment y = session.deviceFloats(count); // NaN-filled: beta = 0 must not read it
        session.cudnn(Cudnn.cudnnConvolutionForward(session.cudnn, one, xDesc, x, wDesc, w, conv, algorithm, workspace, bytes,
                zero, yDesc, y), "cudnnConvolutionForward");
        return session.read(y, count);
    }

    private static float[] random(SplittableRandom random, int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return values;
    }

    private static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (double) a[i] * b[i];
        }
        return sum;
    }
}
