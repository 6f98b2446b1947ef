package dev.isthmus.backend.cuda.nativelib;

import dev.isthmus.backend.cuda.CudaCheck;
import dev.isthmus.backend.cuda.CudaException;
import dev.isthmus.bindings.cublas.Cublas;
import dev.isthmus.bindings.cudart.CudaRuntime;
import dev.isthmus.bindings.cudart.cudaDeviceProp;
import dev.isthmus.bindings.cudnn.Cudnn;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Version and device questions asked through the bindings. Each method needs its library loaded
 * ({@link CudaLibraries}) and throws {@link CudaException} when the library answers with an error status.
 * None of them needs a GPU except {@link #gpu}.
 */
public final class CudaQueries {
    /**
     * cudaDeviceProp grew and shrank between CUDA versions; the runtime writes its own version's size, so
     * the buffer is larger than any of them. Only fields at the stable start (name, totalGlobalMem) are read
     * from it; the rest comes from cudaDeviceGetAttribute.
     */
    private static final long DEVICE_PROP_BYTES = Math.max(cudaDeviceProp.layout().byteSize(), 16 * 1024);

    private CudaQueries() {
    }

    /**
     * cudaRuntimeGetVersion: 1000 × major + 10 × minor, e.g. 13000.
     *
     * @return the version
     */
    public static int runtimeVersion() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment version = arena.allocate(ValueLayout.JAVA_INT);
            CudaCheck.cuda(CudaRuntime.cudaRuntimeGetVersion(version), "cudaRuntimeGetVersion");
            return version.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /**
     * cudaDriverGetVersion: the CUDA version the installed driver supports, 0 when there is no driver.
     *
     * @return the version, or 0
     */
    public static int driverVersion() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment version = arena.allocate(ValueLayout.JAVA_INT);
            CudaCheck.cuda(CudaRuntime.cudaDriverGetVersion(version), "cudaDriverGetVersion");
            return version.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /**
     * cudaGetDeviceCount; without a usable driver this throws with cudaErrorInsufficientDriver (35).
     *
     * @return the number of devices
     */
    public static int deviceCount() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(ValueLayout.JAVA_INT);
            CudaCheck.cuda(CudaRuntime.cudaGetDeviceCount(count), "cudaGetDeviceCount");
            return count.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /**
     * Name, memory, compute capability and SM count of one device.
     *
     * @param index the device number
     * @return the device
     */
    public static Gpu gpu(int index) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment properties = arena.allocate(DEVICE_PROP_BYTES, 16);
            CudaCheck.cuda(CudaRuntime.cudaGetDeviceProperties(properties, index), "cudaGetDeviceProperties");
            String name = cudaDeviceProp.name(properties).getString(0);
            long memory = cudaDeviceProp.totalGlobalMem(properties);
            MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
            return new Gpu(index, name, memory,
                    attribute(value, CudaRuntime.cudaDevAttrComputeCapabilityMajor(), index),
                    attribute(value, CudaRuntime.cudaDevAttrComputeCapabilityMinor(), index),
                    attribute(value, CudaRuntime.cudaDevAttrMultiProcessorCount(), index));
        }
    }

    private static int attribute(MemorySegment value, int attribute, int device) {
        CudaCheck.cuda(CudaRuntime.cudaDeviceGetAttribute(value, attribute, device), "cudaDeviceGetAttribute");
        return value.get(ValueLayout.JAVA_INT, 0);
    }

    /**
     * cuBLAS's version as 10000 × major + 100 × minor + patch (like CUBLAS_VERSION); needs no GPU.
     *
     * @return the version
     */
    public static int cublasVersion() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
            int[] parts = new int[3];
            int[] types = {Cublas.MAJOR_VERSION(), Cublas.MINOR_VERSION(), Cublas.PATCH_LEVEL()};
            for (int i = 0; i < 3; i++) {
                CudaCheck.cublas(Cublas.cublasGetProperty(types[i], value), "cublasGetProperty");
                parts[i] = value.get(ValueLayout.JAVA_INT, 0);
            }
            return parts[0] * 10000 + parts[1] * 100 + parts[2];
        }
    }

    /**
     * cudnnGetVersion, e.g. 91300 for 9.13.0.
     *
     * @return the version
     */
    public static long cudnnVersion() {
        return Cudnn.cudnnGetVersion();
    }

    /**
     * cudnnGetCudartVersion: the CUDA runtime version cuDNN was built against, e.g. 13000.
     *
     * @return the version
     */
    public static long cudnnCudartVersion() {
        return Cudnn.cudnnGetCudartVersion();
    }

    /**
     * "13.0" for 13000, "12.8" for 12080.
     *
     * @param version the encoded version
     * @return the text
     */
    public static String cudaVersionText(long version) {
        return version / 1000 + "." + (version % 1000) / 10;
    }

    /**
     * "13.0.2" for 130002.
     *
     * @param version the encoded version
     * @return the text
     */
    public static String cublasVersionText(long version) {
        return version / 10000 + "." + (version % 10000) / 100 + "." + version % 100;
    }

    /**
     * Major version of a cudnnGetVersion number (cuDNN 9 encodes 10000 × major, cuDNN 8 1000 × major).
     *
     * @param version the encoded version
     * @return the major version
     */
    public static int cudnnMajor(long version) {
        return (int) (version >= 90000 ? version / 10000 : version / 1000);
    }

    /**
     * "9.13.0" for 91300, "8.9.7" for 8907.
     *
     * @param version the encoded version
     * @return the text
     */
    public static String cudnnVersionText(long version) {
        return version >= 90000 ? cublasVersionText(version)
                : version / 1000 + "." + (version % 1000) / 100 + "." + version % 100;
    }
}
