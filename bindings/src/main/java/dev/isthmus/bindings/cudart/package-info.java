/**
 * jextract bindings for {@code cuda_runtime_api.h}; header class {@link dev.isthmus.bindings.cudart.CudaRuntime}.
 * Generated code, never edited by hand: regenerate with {@code native-scripts/generate-bindings.sh}.
 *
 * <p>No library is loaded here: symbols resolve through the loader lookup, so the caller must first
 * {@code System.load} the native library by absolute path.
 *
 * <ul>
 *   <li>Headers: CUDA runtime 13.0 (CUDART_VERSION 13000), cuBLAS 13.0.0 (build 19), cuDNN 9.13.0; cuBLAS and cuDNN headers from leomaxwell972/CU13ToolKit_Includes commit aa0473e4f7472b5714bc6807dade70ec3d76734a, CUDA runtime headers from the CUDA 13.0 toolkit.</li>
 *   <li>jextract: jextract 25-f9866df; JDK version 25.0.3+9-LTS; LibClang version Debian clang version 13.0.1-11+b2 (openjdk/jextract commit f9866df3a178baa2e4a3746a7a6e458d783ace92 of 2026-08-21, built with javac 25, run on Debian bookworm libclang1-13).</li>
 *   <li>Command: {@code jextract -I /usr/local/cuda-13.0/include -I /tmp/i18-headers/include --output bindings/src/main/java --target-package dev.isthmus.bindings.cudart --header-class-name CudaRuntime @native-scripts/bindings/cudart.args /usr/local/cuda-13.0/include/cuda_runtime_api.h}</li>
 * </ul>
 */
package dev.isthmus.bindings.cudart;
