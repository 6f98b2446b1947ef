package dev.isthmus.backend.cuda.nativelib;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

/**
 * Library folders of one installation (the nvidia-* wheels and torch/lib of one Python environment, or
 * one conda environment): the CUDA runtime, cuBLAS and cuDNN taken together from one set were built for
 * each other, which libraries gathered from several installations need not be.
 *
 * @param name           for the report, e.g. "Python packages in /opt/venv/lib/python3.12/site-packages"
 * @param folders        the set's library folders
 * @param cudnnCudaMajor the CUDA major version the set's cuDNN was built for, when its package says so
 *                       ({@code nvidia_cudnn_cu13-*.dist-info} gives 13)
 */
public record LibrarySet(String name, List<Path> folders, OptionalInt cudnnCudaMajor) {

    /**
     * Resolves each folder to the folder it really is, so sets compare by identity.
     */
    public LibrarySet {
        folders = folders.stream().map(LibrarySet::identity).toList();
    }

    /** Whether a search location is one of this set's folders (symbolic links resolved). */
    boolean contains(SearchLocation location) {
        return folders.contains(identity(location.folder()));
    }

    static Path identity(Path folder) {
        Path normalized = folder.toAbsolutePath().normalize();
        try {
            return normalized.toRealPath();
        } catch (IOException | SecurityException e) {
            return normalized;
        }
    }
}
