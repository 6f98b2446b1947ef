package dev.isthmus.backend.cuda.nativelib;

import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * The one global step: puts library files into the process with {@link System#load}, which makes their
 * symbols visible to the bindings' {@code SymbolLookup.loaderLookup()}.
 *
 * <p>Each {@link CudaLibrary} is loaded at most once per JVM: a second, different copy of, say,
 * libcudart would leave it to chance which copy a binding calls, so it is refused. Loading the same
 * file again (also through a symbolic link) is a no-op. Failures are not remembered: a file that failed
 * because a dependency was missing may load once that dependency is loaded.
 */
final class LibraryLoader {
    private static final Map<CudaLibrary, Path> LOADED = new EnumMap<>(CudaLibrary.class);

    private LibraryLoader() {
    }

    /** Loads the file; returns empty on success, otherwise the reason (the operating system's own words). */
    static synchronized Optional<String> load(LibraryFile file) {
        Path real;
        try {
            real = file.path().toRealPath();
        } catch (IOException e) {
            return Optional.of("cannot open " + file.path() + ": " + e.getMessage());
        }
        Path already = LOADED.get(file.library());
        if (already != null) {
            return already.equals(real) ? Optional.empty()
                    : Optional.of("another " + file.library().baseName() + " is already loaded in this JVM from " + already
                            + "; a process can use only one, so restart with a single CUDA installation on the search path");
        }
        try {
            System.load(real.toString());
        } catch (UnsatisfiedLinkError e) {
            return Optional.of(osReason(e.getMessage(), real));
        }
        LOADED.put(file.library(), real);
        return Optional.empty();
    }

    /** Whether a copy of the library has been loaded into this JVM. */
    static synchronized boolean isLoaded(CudaLibrary library) {
        return LOADED.containsKey(library);
    }

    /** The file loaded for the library, if any. */
    static synchronized Optional<Path> loadedFile(CudaLibrary library) {
        return Optional.ofNullable(LOADED.get(library));
    }

    /**
     * The JDK reports a failed dlopen as "{@code <path>: <dlerror text>}", and dlerror's text itself
     * usually starts with the path again; keep dlerror's text, verbatim.
     */
    static String osReason(String message, Path real) {
        if (message == null || message.isBlank()) {
            return "the dynamic linker gave no reason";
        }
        String prefix = real + ": ";
        return message.startsWith(prefix) && message.length() > prefix.length() ? message.substring(prefix.length())
                : message;
    }
}
