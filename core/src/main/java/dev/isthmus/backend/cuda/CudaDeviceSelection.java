package dev.isthmus.backend.cuda;

import dev.isthmus.IsthmusException;
import dev.isthmus.backend.cuda.nativelib.Gpu;
import dev.isthmus.bindings.cudart.CudaRuntime;

import java.util.List;

/**
 * The first step of opening a {@link CudaBackend}: the libraries and a GPU must be usable (no silent
 * fallback), the device index must exist, and the calling thread is bound to that device.
 */
final class CudaDeviceSelection {

    private CudaDeviceSelection() {
    }

    /**
     * Checks {@link CudaEnvironment#requireUsable()}, then selects {@code device} with {@code cudaSetDevice}.
     *
     * @param device the device index asked for
     * @return the selected GPU
     * @throws CudaUnavailableException when the CUDA libraries or a GPU are not usable (exit code 3)
     * @throws IsthmusException         when the device index does not exist (exit code 2)
     */
    static Gpu select(int device) {
        List<Gpu> gpus = CudaEnvironment.requireUsable().gpus();
        if (device >= gpus.size()) {
            throw new IsthmusException(IsthmusException.EXIT_BAD_INPUT, "CUDA device " + device + " does not exist: this machine has "
                    + gpus.size() + " GPU" + (gpus.size() == 1 ? "" : "s") + " (devices 0.." + (gpus.size() - 1) + "); choose one of those");
        }
        CudaCheck.cuda(CudaRuntime.cudaSetDevice(device), "cudaSetDevice(" + device + ")");
        return gpus.get(device);
    }
}
