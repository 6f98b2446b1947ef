package dev.isthmus.testing.standin;

import dev.isthmus.bindings.cublas.Cublas;
import dev.isthmus.bindings.cudart.CudaRuntime;
import dev.isthmus.bindings.cudart.cudaDeviceProp;
import dev.isthmus.bindings.cudnn.Cudnn;
import dev.isthmus.bindings.cudnn.cudnnConvolutionFwdAlgoPerfStruct;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CPU stand-in itself, called through the generated bindings: its constants equal the bindings', and a
 * few results worked out by hand (or from identities such as the adjoint of a convolution) come out right.
 */
@Tag("standin")
class StandInLibrariesTest {
    /**
     * Constants of the stand-in that the bindings do not generate (the args files list only what the backend
     * uses); native-scripts/cuda-standin/check-against-headers.sh compares them with NVIDIA's headers.
     */
    private static final Set<String> CHECKED_BY_HEADER_SCRIPT_ONLY = Set.of(
            "cudaErrorInvalidPitchValue", "cudaErrorInvalidDevicePointer", "cudaErrorInvalidMemcpyDirection",
            "cudaErrorNotReady", "cudaErrorIllegalAddress", "cudaErrorUnknown",
            "cudaStreamDefault", "cudaEventDefault", "cudaEventBlockingSync", "cudaEventDisableTiming",
            "cudaEventInterprocess", "cudaDevAttrMaxThreadsPerBlock", "cudaDevAttrMaxBlockDimX", "cudaDevAttrMaxGridDimX",
            "cudaDevAttrMaxSharedMemoryPerBlock", "cudaDevAttrTotalConstantMemory", "cudaDevAttrWarpSize",
            "cudaDevAttrMaxRegistersPerBlock", "cudaDevAttrClockRate", "cudaDevAttrIntegrated",
            "cudaDevAttrConcurrentKernels", "cudaDevAttrPciBusId", "cudaDevAttrMemoryClockRate",
            "cudaDevAttrGlobalMemoryBusWidth", "cudaDevAttrL2CacheSize", "cudaDevAttrMaxThreadsPerMultiProcessor",
            "cudaDevAttrUnifiedAddressing", "cudaDevAttrMaxSharedMemoryPerMultiprocessor",
            "cudaDevAttrMaxSharedMemoryPerBlockOptin", "CUDART_VERSION", "cudaErrorIllegalState", "cudaErrorCapturedEvent",
            "CUBLAS_TENSOR_OP_MATH", "CUBLAS_FP32_EMULATED_BF16X9_MATH", "CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION",
            "CUBLAS_GEMM_ALGO0", "CUBLAS_GEMM_ALGO23", "CUBLAS_GEMM_DEFAULT_TENSOR_OP", "CUBLAS_GEMM_ALGO0_TENSOR_OP",
            "CUBLAS_GEMM_ALGO15_TENSOR_OP",
            "CUDNN_DATA_INT8", "CUDNN_DATA_UINT32", "CUDNN_TENSOR_NCHW_VECT_C");

    private static StandInControls controls;

    @BeforeAll
    static void loadStandIn() {
        CudaStandIn.loadForBindings();
        controls = StandInControls.open();
    }

    // ------------------------------------------------------------------ constants and layouts

    @Test
    void everyConstantOfTheStandInEqualsTheGeneratedBindings() throws ReflectiveOperationException {
        Set<String> absent = new TreeSet<>();
        List<String> wrong = new ArrayList<>();
        int compared = 0;
        for (StandInControls.Library library : StandInControls.Library.values()) {
            Class<?> bindings = switch (library) {
                case CUDART -> CudaRuntime.class;
                case CUBLAS -> Cublas.class;
                case CUDNN -> Cudnn.class;
            };
            for (Map.Entry<String, Long> constant : controls.constants(library).entrySet()) {
                String name = constant.getKey();
                if (name.contains("(")) {
                    continue; // layout facts: see structLayoutsEqualTheGeneratedBindings
                }
                Method getter;
                try {
                    getter = bindings.getMethod(name);
                } catch (NoSuchMethodException e) {
                    absent.add(name);
                    continue;
                }
                long expected = ((Number) getter.invoke(null)).longValue();
                compared++;
                if (expected != constant.getValue()) {
                    wrong.add(library + " " + name + " = " + constant.getValue() + ", bindings say " + expected);
                }
            }
        }
        assertEquals(List.of(), wrong);
        assertEquals(new TreeSet<>(CHECKED_BY_HEADER_SCRIPT_ONLY), absent,
                "constants the bindings lack must be listed (and are checked by check-against-headers.sh)");
        assertTrue(compared > 150, "compared only " + compared + " constants");
    }

    @Test
    void structLayoutsEqualTheGeneratedBindings() {
        Map<String, Long> runtime = controls.constants(StandInControls.Library.CUDART);
        Map<String, Long> dnn = controls.constants(StandInControls.Library.CUDNN);
        assertAll(
                () -> assertEquals(cudaDeviceProp.layout().byteSize(), runtime.get("sizeof(cudaDeviceProp)")),
                () -> assertEquals(cudaDeviceProp.totalGlobalMem$offset(), runtime.get("offsetof(cudaDeviceProp.totalGlobalMem)")),
                () -> assertEquals(cudaDeviceProp.major$offset(), runtime.get("offsetof(cudaDeviceProp.major)")),
                () -> assertEquals(cudaDeviceProp.minor$offset(), runtime.get("offsetof(cudaDeviceProp.minor)")),
                () -> assertEquals(cudaDeviceProp.multiProcessorCount$offset(),
                        runtime.get("offsetof(cudaDeviceProp.multiProcessorCount)")),
                () -> assertEquals(cudnnConvolutionFwdAlgoPerfStruct.layout().byteSize(),
                        dnn.get("sizeof(cudnnConvolutionFwdAlgoPerf_t)")),
                () -> assertEquals(cudnnConvolutionFwdAlgoPerfStruct.memory$offset(),
                        dnn.get("offsetof(cudnnConvolutionFwdAlgoPerf_t.memory)")),
                () -> assertEquals(cudnnConvolutionFwdAlgoPerfStruct.determinism$offset(),
                        dnn.get("offsetof(cudnnConvolutionFwdAlgoPerf_t.determinism)")));
    }

    @Test
    void deviceAndVersionsReadThroughTheBindings() {
        try (StandInSession session = new StandInSession()) {
            deviceAndVersions(session.arena(), session.cublas);
        }
    }

    private static void deviceAndVersions(Arena arena, MemorySegment cublas) {
        MemorySegment properties = arena.allocate(cudaDeviceProp.layout());
        assertEquals(CudaRuntime.cudaSuccess(), CudaRuntime.cudaGetDeviceProperties(properties, 0));
        MemorySegment value = arena.allocate(JAVA_INT);
        assertEquals(CudaRuntime.cudaSuccess(), CudaRuntime.cudaRuntimeGetVersion(value));
        int runtimeVersion = value.get(JAVA_INT, 0);
        assertEquals(Cublas.CUBLAS_STATUS_SUCCESS(), Cublas.cublasGetVersion_v2(cublas, value));
        int cublasVersion = value.get(JAVA_INT, 0);
        assertAll(
                () -> assertEquals("Isthmus CPU stand-in (not a GPU)", cudaDeviceProp.name(properties).getString(0)),
                () -> assertEquals(9, cudaDeviceProp.major(properties)),
                () -> assertEquals(0, cudaDeviceProp.minor(properties)),
                () -> assertEquals(1, cudaDeviceProp.multiProcessorCount(properties)),
                () -> assertEquals(13000, runtimeVersion),
                () -> assertEquals(130000, cublasVersion),
                () -> assertEquals(91300L, Cudnn.cudnnGetVersion()),
                () -> assertEquals("CUDNN_STATUS_BAD_PARAM",
                        Cudnn.cudnnGetErrorString(Cudnn.CUDNN_STATUS_BAD_PARAM()).getString(0)),
                () -> assertEquals("out of memory",
                        CudaRuntime.cudaGetErrorString(CudaRuntime.cudaErrorMemoryAllocation()).getString(0)),
                () -> assertEquals("cudaErrorMemoryAllocation",
                        CudaRuntime.cudaGetErrorName(CudaRuntime.cudaErrorMemoryAllocation()).getString(0)),
                () -> assertEquals("CUBLAS_STATUS_INVALID_VALUE",
                        Cublas.cublasGetStatusName(Cublas.CUBLAS_STATUS_INVALID_VALUE()).getString(0)));
    }
}
