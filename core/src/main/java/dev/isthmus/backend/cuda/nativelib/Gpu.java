package dev.isthmus.backend.cuda.nativelib;

/**
 * One CUDA device as the runtime reports it.
 *
 * @param index                 the device number (as in cudaSetDevice)
 * @param name                  e.g. "NVIDIA H200"
 * @param totalMemoryBytes      global memory
 * @param computeCapabilityMajor e.g. 9 for Hopper
 * @param computeCapabilityMinor e.g. 0
 * @param multiprocessors       streaming multiprocessor count
 */
public record Gpu(int index, String name, long totalMemoryBytes, int computeCapabilityMajor,
                  int computeCapabilityMinor, int multiprocessors) {

    /**
     * "9.0".
     *
     * @return major.minor
     */
    public String computeCapability() {
        return computeCapabilityMajor + "." + computeCapabilityMinor;
    }

    /**
     * "GPU 0: NVIDIA H200, 139.8 GiB, compute capability 9.0, 132 SMs".
     *
     * @return one line
     */
    public String describe() {
        return String.format(java.util.Locale.ROOT, "GPU %d: %s, %.1f GiB, compute capability %s, %d SMs",
                index, name, totalMemoryBytes / (1024.0 * 1024 * 1024), computeCapability(), multiprocessors);
    }
}
