package dev.isthmus.backend.cuda;

import dev.isthmus.backend.cuda.nativelib.CudaComponent;
import dev.isthmus.backend.cuda.nativelib.CudaLibraries;
import dev.isthmus.bindings.cublas.Cublas;
import dev.isthmus.bindings.cudart.CudaRuntime;
import dev.isthmus.bindings.cudnn.Cudnn;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns the status returned by a CUDA runtime, cuBLAS or cuDNN call into an exception:
 * {@code CudaCheck.cudnn(Cudnn.cudnnConvolutionForward(...), "cudnnConvolutionForward")}.
 *
 * <p>The success path is a single comparison and allocates nothing (it runs on every op). On failure the
 * message carries the status's name and the library's own text, read from the library itself
 * (cudaGetErrorName/cudaGetErrorString, cublasGetStatusName/cublasGetStatusString, cudnnGetErrorString and
 * cudnnGetLastErrorString); when the library is not loaded the name comes from the bindings' constants.
 */
public final class CudaCheck {

    private CudaCheck() {
    }

    /**
     * Returns when {@code status} is cudaSuccess (0), otherwise throws {@link CudaException}.
     *
     * @param status   the library call's status
     * @param function the call, for the message
     */
    public static void cuda(int status, String function) {
        if (status != 0) {
            throw cudaFailure(status, function);
        }
    }

    /**
     * Returns when {@code status} is CUBLAS_STATUS_SUCCESS (0), otherwise throws {@link CudaException}.
     *
     * @param status   the library call's status
     * @param function the call, for the message
     */
    public static void cublas(int status, String function) {
        if (status != 0) {
            throw cublasFailure(status, function);
        }
    }

    /**
     * Returns when {@code status} is CUDNN_STATUS_SUCCESS (0), otherwise throws {@link CudaException}.
     *
     * @param status   the library call's status
     * @param function the call, for the message
     */
    public static void cudnn(int status, String function) {
        if (status != 0) {
            throw cudnnFailure(status, function);
        }
    }

    /**
     * The exception {@link #cuda} throws, for callers that need it without throwing.
     *
     * @param status   the library call's status
     * @param function the call, for the message
     * @return the exception
     */
    public static CudaException cudaFailure(int status, String function) {
        String name = null;
        String text = "";
        if (CudaLibraries.isLoaded(CudaComponent.RUNTIME)) {
            try {
                name = cString(CudaRuntime.cudaGetErrorName(status));
                text = cString(CudaRuntime.cudaGetErrorString(status));
            } catch (RuntimeException | LinkageError e) {
                // The loaded runtime lacks the symbol: fall back to the constant names below.
            }
        }
        if (name == null || name.isBlank() || name.equals("unrecognized error code")) {
            name = ConstantNames.CUDA.nameOf(status, "cudaError ");
        }
        return new CudaException(CudaComponent.RUNTIME, function, status, name, text);
    }

    /**
     * The exception {@link #cublas} throws.
     *
     * @param status   the library call's status
     * @param function the call, for the message
     * @return the exception
     */
    public static CudaException cublasFailure(int status, String function) {
        String name = null;
        String text = "";
        if (CudaLibraries.isLoaded(CudaComponent.CUBLAS)) {
            try {
                name = cString(Cublas.cublasGetStatusName(status));
                text = cString(Cublas.cublasGetStatusString(status));
            } catch (RuntimeException | LinkageError e) {
                // Fall back to the constant names.
            }
        }
        if (name == null || name.isBlank() || name.startsWith("<unknown")) {
            name = ConstantNames.CUBLAS.nameOf(status, "cublasStatus ");
        }
        return new CudaException(CudaComponent.CUBLAS, function, status, name, text);
    }

    /**
     * The exception {@link #cudnn} throws.
     *
     * @param status   the library call's status
     * @param function the call, for the message
     * @return the exception
     */
    public static CudaException cudnnFailure(int status, String function) {
        String name = null;
        String text = "";
        if (CudaLibraries.isLoaded(CudaComponent.CUDNN)) {
            try {
                name = cString(Cudnn.cudnnGetErrorString(status));
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment message = arena.allocate(1024);
                    Cudnn.cudnnGetLastErrorString(message, message.byteSize());
                    text = message.getString(0);
                }
            } catch (RuntimeException | LinkageError e) {
                // Fall back to the constant names.
            }
        }
        if (name == null || name.isBlank() || name.startsWith("CUDNN_UNKNOWN")) {
            name = ConstantNames.CUDNN.nameOf(status, "cudnnStatus ");
        }
        return new CudaException(CudaComponent.CUDNN, function, status, name, text);
    }

    private static String cString(MemorySegment pointer) {
        return pointer.equals(MemorySegment.NULL) ? "" : pointer.reinterpret(Integer.MAX_VALUE).getString(0);
    }

    /** Status names from the bindings' constants (jextract makes each enum value a static int method). */
    private enum ConstantNames {
        CUDA(CudaRuntime.class, "cudaError"),
        CUBLAS(Cublas.class, "CUBLAS_STATUS_"),
        CUDNN(Cudnn.class, "CUDNN_STATUS_");

        private final Class<?> bindings;
        private final String prefix;
        private volatile Map<Integer, String> names;

        ConstantNames(Class<?> bindings, String prefix) {
            this.bindings = bindings;
            this.prefix = prefix;
        }

        String nameOf(int status, String unknownPrefix) {
            String name = names().get(status);
            return name != null ? name : unknownPrefix + status;
        }

        private Map<Integer, String> names() {
            Map<Integer, String> result = names;
            if (result == null) {
                result = new HashMap<>();
                if (prefix.equals("cudaError")) {
                    result.put(0, "cudaSuccess");
                }
                for (Method method : bindings.getMethods()) {
                    if (method.getName().startsWith(prefix) && method.getParameterCount() == 0
                            && method.getReturnType() == int.class && Modifier.isStatic(method.getModifiers())) {
                        try {
                            // Keep the first (shortest) name per value: CUDNN_STATUS_BAD_PARAM over its aliases.
                            result.merge((Integer) method.invoke(null), method.getName(),
                                    (a, b) -> a.length() <= b.length() ? a : b);
                        } catch (ReflectiveOperationException e) {
                            // Not a constant after all.
                        }
                    }
                }
                names = result = Map.copyOf(result);
            }
            return result;
        }
    }
}
