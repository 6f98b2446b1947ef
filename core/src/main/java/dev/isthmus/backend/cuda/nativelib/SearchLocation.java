package dev.isthmus.backend.cuda.nativelib;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A folder searched for CUDA libraries and why it is on the list.
 *
 * @param folder   the folder
 * @param source   where the folder came from, for the report: "ISTHMUS_CUDA_PATH", "CUDA_HOME",
 *                 "ld.so.cache", "Python packages", …
 * @param override whether the user named it explicitly: such folders are searched before all others
 *                 and win with any supported major version
 */
public record SearchLocation(Path folder, String source, boolean override) {

    /**
     * Whether the folder exists now.
     *
     * @return whether it is a directory
     */
    public boolean exists() {
        return Files.isDirectory(folder);
    }

    @Override
    public String toString() {
        return folder + " (" + source + ")";
    }
}
