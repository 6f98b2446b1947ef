package dev.isthmus.backend.cuda.nativelib;

import java.nio.file.Path;

/**
 * A library file chosen for loading.
 *
 * @param library which library it is
 * @param path    the file, absolute
 * @param source  why it was chosen: the setting or search location that led to it
 */
public record LibraryFile(CudaLibrary library, Path path, String source) {
}
