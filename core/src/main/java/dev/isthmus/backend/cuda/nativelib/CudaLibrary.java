package dev.isthmus.backend.cuda.nativelib;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * One shared object the CUDA backend loads. The declaration order is the load order: every
 * library comes after the libraries it depends on, so that when the dynamic linker resolves a
 * dependency by its soname it finds the copy we already loaded by absolute path.
 */
public enum CudaLibrary {
    // cuDNN's runtime-compiled engines dlopen NVRTC by name; loaded by path first, the dynamic linker matches
    // that name to the copy already in the process (pip's CUDA 12 wheels keep it apart from cudart and cuDNN).
    /**
     * NVRTC, which cuDNN's runtime-compiled engines open by name.
     */
    NVRTC(CudaComponent.RUNTIME, "libnvrtc.so", Role.DLOPENED_BY_NAME, new int[] {13, 12}, new int[0]),
    /**
     * The CUDA runtime.
     */
    CUDART(CudaComponent.RUNTIME, "libcudart.so", Role.MAIN, new int[] {13, 12}, new int[] {11, 10}),
    /**
     * cuBLAS's Lt library, which cuBLAS needs.
     */
    CUBLAS_LT(CudaComponent.CUBLAS, "libcublasLt.so", Role.REQUIRED, new int[] {13, 12}, new int[] {11}),
    /**
     * cuBLAS.
     */
    CUBLAS(CudaComponent.CUBLAS, "libcublas.so", Role.MAIN, new int[] {13, 12}, new int[] {11}),
    // cuDNN 9 is split into sub-libraries; libcudnn.so.9 itself is a shim that finds them by soname.
    /**
     * cuDNN's graph API.
     */
    CUDNN_GRAPH(CudaComponent.CUDNN, "libcudnn_graph.so", Role.REQUIRED, new int[] {9}, new int[0]),
    /**
     * cuDNN's precompiled engines.
     */
    CUDNN_ENGINES_PRECOMPILED(CudaComponent.CUDNN, "libcudnn_engines_precompiled.so", Role.OPTIONAL, new int[] {9}, new int[0]),
    /**
     * cuDNN's runtime-compiled engines.
     */
    CUDNN_ENGINES_RUNTIME_COMPILED(CudaComponent.CUDNN, "libcudnn_engines_runtime_compiled.so", Role.OPTIONAL, new int[] {9}, new int[0]),
    /**
     * cuDNN's heuristics.
     */
    CUDNN_HEURISTIC(CudaComponent.CUDNN, "libcudnn_heuristic.so", Role.OPTIONAL, new int[] {9}, new int[0]),
    /**
     * cuDNN's legacy ops.
     */
    CUDNN_OPS(CudaComponent.CUDNN, "libcudnn_ops.so", Role.REQUIRED, new int[] {9}, new int[0]),
    /**
     * cuDNN's convolutions.
     */
    CUDNN_CNN(CudaComponent.CUDNN, "libcudnn_cnn.so", Role.REQUIRED, new int[] {9}, new int[0]),
    /**
     * cuDNN's advanced ops (RNN, attention).
     */
    CUDNN_ADV(CudaComponent.CUDNN, "libcudnn_adv.so", Role.OPTIONAL, new int[] {9}, new int[0]),
    /**
     * cuDNN's shim, which finds the sub-libraries.
     */
    CUDNN(CudaComponent.CUDNN, "libcudnn.so", Role.MAIN, new int[] {9}, new int[] {8, 7});

    /** How a library takes part in its component. */
    public enum Role {
        /** Searched for; its folder is where the component's other libraries are looked for first. */
        MAIN,
        /** Must be present for the component to work. */
        REQUIRED,
        /**
         * Loaded when present beside the main library (e.g. cuDNN's engine libraries: missing ones, or ones that
         * fail to load, only narrow the algorithm choice). Never taken from another folder: cuDNN's sub-libraries
         * must come from one release.
         */
        OPTIONAL,
        /**
         * Loaded when found, beside the main library or anywhere on the search path with the component's major
         * version: another library opens it by name at run time, which then finds this copy; optional like
         * {@link #OPTIONAL}.
         */
        DLOPENED_BY_NAME;

        /**
         * Whether the component works without it.
         *
         * @return whether it is optional
         */
        public boolean optional() {
            return this == OPTIONAL || this == DLOPENED_BY_NAME;
        }
    }

    private final CudaComponent component;
    private final String baseName;
    private final Role role;
    private final int[] supportedMajors;
    private final int[] unsupportedMajors;

    CudaLibrary(CudaComponent component, String baseName, Role role, int[] supportedMajors, int[] unsupportedMajors) {
        this.component = component;
        this.baseName = baseName;
        this.role = role;
        this.supportedMajors = supportedMajors;
        this.unsupportedMajors = unsupportedMajors;
    }

    /**
     * The component it belongs to.
     *
     * @return the component
     */
    public CudaComponent component() {
        return component;
    }

    /**
     * What it does in its component.
     *
     * @return the role
     */
    public Role role() {
        return role;
    }

    /**
     * The file name without version, e.g. {@code libcudart.so}.
     *
     * @return the name
     */
    public String baseName() {
        return baseName;
    }

    /**
     * The file name for one major version, e.g. {@code libcudart.so.13}.
     *
     * @param major the major version
     * @return the file name
     */
    public String fileName(int major) {
        return baseName + "." + major;
    }

    /**
     * Major versions the bindings work with, most preferred first.
     *
     * @return the versions
     */
    public List<Integer> supportedMajors() {
        return IntStream.of(supportedMajors).boxed().toList();
    }

    /**
     * Older major versions worth mentioning when found instead of a supported one.
     *
     * @return the versions
     */
    public List<Integer> unsupportedMajors() {
        return IntStream.of(unsupportedMajors).boxed().toList();
    }

    /**
     * "libcudart.so.13 or libcudart.so.12".
     *
     * @return the names
     */
    public String wantedFileNames() {
        return String.join(" or ", supportedMajors().stream().map(this::fileName).toList());
    }

    /**
     * The libraries of one component, in load order.
     *
     * @param component the component
     * @return its libraries
     */
    public static List<CudaLibrary> of(CudaComponent component) {
        return Arrays.stream(values()).filter(library -> library.component == component).toList();
    }

    /**
     * The component's main library.
     *
     * @param component the component
     * @return its main library
     */
    public static CudaLibrary mainOf(CudaComponent component) {
        return Arrays.stream(values())
                .filter(library -> library.component == component && library.role == Role.MAIN)
                .findFirst().orElseThrow();
    }
}
