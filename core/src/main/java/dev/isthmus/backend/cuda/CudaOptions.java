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

    /** Device 0, heuristic algorithms, non-deterministic, no TF32, 256 MiB workspace: PyTorch's defaults except TF32. */
    public static CudaOptions defaults() {
        return new CudaOptions(0, AlgorithmSearch.HEURISTIC, false, false, DEFAULT_WORKSPACE_CAP_BYTES);
    }

    public CudaOptions withDevice(int newDevice) {
        return new CudaOptions(newDevice, algorithmSearch, deterministic, tf32, workspaceCapBytes);
    }

    public CudaOptions withAlgorithmSearch(AlgorithmSearch newSearch) {
        return new CudaOptions(device, newSearch, deterministic, tf32, workspaceCapBytes);
    }

    public CudaOptions withDeterministic(boolean newDeterministic) {
        return new CudaOptions(device, algorithmSearch, newDeterministic, tf32, workspaceCapBytes);
    }

    public CudaOptions withTf32(boolean newTf32) {
        return new CudaOptions(device, algorithmSearch, deterministic, newTf32, workspaceCapBytes);
    }

    public CudaOptions withWorkspaceCapBytes(long newCap) {
        return new CudaOptions(device, algorithmSearch, deterministic, tf32, newCap);
    }
}
