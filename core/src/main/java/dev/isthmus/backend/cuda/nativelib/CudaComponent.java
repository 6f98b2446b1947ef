package dev.isthmus.backend.cuda.nativelib;

import java.util.Locale;

/**
 * The three NVIDIA libraries the CUDA backend needs. Each may consist of several shared objects
 * ({@link CudaLibrary}), found and loaded together.
 */
public enum CudaComponent {
    /**
     * libcudart: the CUDA runtime.
     */
    RUNTIME("CUDA runtime", "cudart", "the CUDA toolkit, or `pip install nvidia-cuda-runtime`"),
    /**
     * libcublas (with libcublasLt).
     */
    CUBLAS("cuBLAS", "cublas", "the CUDA toolkit, or `pip install nvidia-cublas`"),
    /**
     * libcudnn and its sub-libraries.
     */
    CUDNN("cuDNN", "cudnn", "cuDNN 9, e.g. `pip install nvidia-cudnn-cu13`");

    private final String displayName;
    private final String key;
    private final String installHint;

    CudaComponent(String displayName, String key, String installHint) {
        this.displayName = displayName;
        this.key = key;
        this.installHint = installHint;
    }

    /**
     * The name users know, e.g. "cuDNN".
     *
     * @return the name
     */
    public String displayName() {
        return displayName;
    }

    /**
     * Short lower-case name used in settings and JSON, e.g. "cudnn".
     *
     * @return the key
     */
    public String key() {
        return key;
    }

    /**
     * What to install when the component is missing, as a phrase following "install".
     *
     * @return the hint
     */
    public String installHint() {
        return installHint;
    }

    /**
     * System property naming the component's main library file, e.g. {@code isthmus.cudnn.library}.
     *
     * @return the property's name
     */
    public String fileProperty() {
        return "isthmus." + key + ".library";
    }

    /**
     * Environment variable naming the component's main library file, e.g. {@code ISTHMUS_CUDNN_LIBRARY}.
     *
     * @return the variable's name
     */
    public String fileEnvironmentVariable() {
        return "ISTHMUS_" + key.toUpperCase(Locale.ROOT) + "_LIBRARY";
    }
}
