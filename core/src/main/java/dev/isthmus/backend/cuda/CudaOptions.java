package dev.isthmus.backend.cuda;

/**
 * Settings of one {@link CudaBackend}.
 *
 * @param device             CUDA device index (as {@code cuda:N} in PyTorch)
 * @param algorithmSearch    how cuDNN convolution algorithms are chosen, once per shape
 * @param deterministic      only algorithms that give bit-identical results run to run
 *                           ({@code CUDNN_DETERMINISTIC} convolutions, {@code CUDNN_POOLING_MAX_DETERMINISTIC}),
 *                           like {@code torch.backends.cudnn.deterministic = True}
 * @param tf32               allow TF32 tensor-core math for float32 convolutions and GEMMs (Ampere and newer):
 *                           faster, about 3 decimal digits; off by default so results match float32 references
 * @param workspaceCapBytes  the most device memory the shared cuDNN workspace may take; algorithms needing more
 *                           are skipped for the best one that fits
 */
public record CudaOptions(int device, AlgorithmSearch algorithmSearch, boolean deterministic, boolean tf32,
                          long workspaceCapBytes) {

    /** 256 MiB: far above what the lesson's networks need, small next to any current GPU. */
    public static final long DEFAULT_WORKSPACE_CAP_BYTES = 256L << 20;

    /**
     * Checks the device index, the algorithm search and the workspace cap.
     */
    public CudaOptions {
        if (device < 0) {
            throw new IllegalArgumentException("CUDA device index must be 0 or more, got " + device);
        }
        if (algorithmSearch == null) {
            throw new IllegalArgumentException("CUDA options: algorithm search must be find or heuristic, got null");
        }
        if (workspaceCapBytes < 0) {
            throw new IllegalArgumentException("cuDNN workspace cap must be 0 or more bytes, got " + workspaceCapBytes);
        }
    }

    /**
     * Device 0, heuristic algorithms, non-deterministic, no TF32, 256 MiB workspace: PyTorch's defaults except TF32.
     *
     * @return the options
     */
    public static CudaOptions defaults() {
        return new CudaOptions(0, AlgorithmSearch.HEURISTIC, false, false, DEFAULT_WORKSPACE_CAP_BYTES);
    }

    /**
     * These options on another device.
     *
     * @param newDevice the device index
     * @return the new options
     */
    public CudaOptions withDevice(int newDevice) {
        return new CudaOptions(newDevice, algorithmSearch, deterministic, tf32, workspaceCapBytes);
    }

    /**
     * These options with another algorithm search.
     *
     * @param newSearch the search
     * @return the new options
     */
    public CudaOptions withAlgorithmSearch(AlgorithmSearch newSearch) {
        return new CudaOptions(device, newSearch, deterministic, tf32, workspaceCapBytes);
    }

    /**
     * These options with or without deterministic algorithms.
     *
     * @param newDeterministic whether only deterministic algorithms run
     * @return the new options
     */
    public CudaOptions withDeterministic(boolean newDeterministic) {
        return new CudaOptions(device, algorithmSearch, newDeterministic, tf32, workspaceCapBytes);
    }

    /**
     * These options with or without TF32.
     *
     * @param newTf32 whether TF32 math is allowed
     * @return the new options
     */
    public CudaOptions withTf32(boolean newTf32) {
        return new CudaOptions(device, algorithmSearch, deterministic, newTf32, workspaceCapBytes);
    }

    /**
     * These options with another workspace cap.
     *
     * @param newCap the cap in bytes
     * @return the new options
     */
    public CudaOptions withWorkspaceCapBytes(long newCap) {
        return new CudaOptions(device, algorithmSearch, deterministic, tf32, newCap);
    }
}
