package dev.isthmus.backend.cuda.nativelib;

import dev.isthmus.IsthmusException;
import dev.isthmus.backend.cuda.CudaCheck;
import dev.isthmus.backend.cuda.CudaEnvironment;
import dev.isthmus.backend.cuda.CudaException;
import dev.isthmus.bindings.cublas.Cublas;
import dev.isthmus.bindings.cudart.CudaRuntime;
import dev.isthmus.bindings.cudnn.Cudnn;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CudaCheckTest {

    @Test
    void successReturns() {
        assertDoesNotThrow(() -> CudaCheck.cuda(CudaRuntime.cudaSuccess(), "cudaMalloc"));
        assertDoesNotThrow(() -> CudaCheck.cublas(Cublas.CUBLAS_STATUS_SUCCESS(), "cublasSgemm_v2"));
        assertDoesNotThrow(() -> CudaCheck.cudnn(Cudnn.CUDNN_STATUS_SUCCESS(), "cudnnConvolutionForward"));
    }

    @Test
    void runtimeErrorsCarryTheRuntimesOwnNameAndText() {
        RealRuntime.assumePresent();
        CudaEnvironment.probe(SearchConfig.onlyFolders(List.of(RealRuntime.FOLDER)));

        CudaException outOfMemory = assertThrows(CudaException.class,
                () -> CudaCheck.cuda(CudaRuntime.cudaErrorMemoryAllocation(), "cudaMalloc"));
        assertEquals("cudaMalloc failed: cudaErrorMemoryAllocation (2): out of memory", outOfMemory.getMessage());
        assertEquals(CudaComponent.RUNTIME, outOfMemory.library());
        assertEquals("cudaMalloc", outOfMemory.function());
        assertEquals(2, outOfMemory.status());
        assertEquals(IsthmusException.EXIT_FAILURE, outOfMemory.exitCode());

        CudaException noDriver = CudaCheck.cudaFailure(CudaRuntime.cudaErrorInsufficientDriver(), "cudaGetDeviceCount");
        assertEquals("cudaErrorInsufficientDriver", noDriver.statusName());
        assertEquals("CUDA driver version is insufficient for CUDA runtime version", noDriver.libraryMessage());
    }

    @Test
    void cublasAndCudnnStatusesAreNamedEvenWithoutTheirLibraries() {
        CudaException cublas = CudaCheck.cublasFailure(Cublas.CUBLAS_STATUS_ALLOC_FAILED(), "cublasCreate_v2");
        assertEquals("CUBLAS_STATUS_ALLOC_FAILED", cublas.statusName());
        assertTrue(cublas.getMessage().startsWith("cublasCreate_v2 failed: CUBLAS_STATUS_ALLOC_FAILED (3)"),
                cublas.getMessage());

        CudaException cudnn = assertThrows(CudaException.class,
                () -> CudaCheck.cudnn(Cudnn.CUDNN_STATUS_BAD_PARAM(), "cudnnConvolutionForward"));
        assertEquals("CUDNN_STATUS_BAD_PARAM", cudnn.statusName());
        assertTrue(cudnn.getMessage().startsWith("cudnnConvolutionForward failed: CUDNN_STATUS_BAD_PARAM ("
                + Cudnn.CUDNN_STATUS_BAD_PARAM() + ")"), cudnn.getMessage());
        assertEquals(CudaComponent.CUDNN, cudnn.library());
    }

    @Test
    void unknownStatusesStillGiveALine() {
        CudaException unknown = CudaCheck.cudnnFailure(123456, "cudnnCreate");
        assertTrue(unknown.getMessage().startsWith("cudnnCreate failed: "), unknown.getMessage());
        assertTrue(unknown.getMessage().contains("(123456)"), unknown.getMessage());
        assertEquals(1, unknown.getMessage().lines().count());
    }
}
