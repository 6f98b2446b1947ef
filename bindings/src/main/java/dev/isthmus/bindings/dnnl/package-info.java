/**
 * jextract bindings for oneDNN's C API ({@code oneapi/dnnl/dnnl.h} and {@code dnnl_debug.h}); header class
 * {@link dev.isthmus.bindings.dnnl.Dnnl}. Generated code, never edited by hand: regenerate with
 * {@code native-scripts/generate-dnnl-bindings.sh}.
 *
 * <p>No library is loaded here: symbols resolve through the loader lookup, so the caller must first
 * {@code System.load} libdnnl by absolute path.
 *
 * <ul>
 *   <li>Headers: oneDNN 2.6.3 (Debian libdnnl-dev).</li>
 *   <li>jextract: jextract 25-f9866df; JDK version 25.0.3+9-LTS; LibClang version Debian clang version 13.0.1-11+b2 (openjdk/jextract f9866df compiled with javac 25, libclang 13 from Debian).</li>
 *   <li>Command: {@code jextract -I /usr/include --output bindings/src/main/java --target-package dev.isthmus.bindings.dnnl --header-class-name Dnnl @native-scripts/bindings/dnnl.args dnnl_isthmus.h}, where {@code dnnl_isthmus.h} includes both headers.</li>
 * </ul>
 */
package dev.isthmus.bindings.dnnl;
