package dev.isthmus.checkpoint;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Replaces a file so that readers see either the complete old content or the complete new one,
 * even if the process dies or the disk fills midway: the content goes to a temporary file in the
 * same folder, is forced to disk, and is then renamed over the target atomically.
 */
public final class AtomicFiles {

    /** Writes the new content into the (temporary) channel. */
    @FunctionalInterface
    public interface ContentWriter {
        /**
         * Writes the whole content.
         *
         * @param channel the temporary file, open for writing; closed by {@link AtomicFiles}
         * @throws IOException when writing fails (the target stays as it was)
         */
        void write(FileChannel channel) throws IOException;
    }

    private AtomicFiles() {
    }

    /**
     * Writes {@code target} atomically. On failure the temporary file is removed, {@code target} is
     * left exactly as it was, and the exception is rethrown.
     *
     * @param target the file to replace or create
     * @param writer writes the new content
     * @throws IOException when writing, syncing or renaming fails
     */
    public static void replace(Path target, ContentWriter writer) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path folder = absolute.getParent();
        Path temp = Files.createTempFile(folder, "." + absolute.getFileName() + ".", ".tmp");
        boolean moved = false;
        try {
            keepPermissions(absolute, temp);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writer.write(channel);
                channel.force(true);
            }
            try {
                Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
            forceDirectory(folder);
        } finally {
            if (!moved) Files.deleteIfExists(temp);
        }
    }

    /**
     * Temporary files are created owner-only: give the new file the permissions of the file it
     * replaces, or rw-r--r-- for a new one, like a plain write would.
     */
    private static void keepPermissions(Path target, Path temp) throws IOException {
        try {
            Set<PosixFilePermission> permissions = Files.exists(target)
                    ? Files.getPosixFilePermissions(target) : PosixFilePermissions.fromString("rw-r--r--");
            Files.setPosixFilePermissions(temp, permissions);
        } catch (UnsupportedOperationException notPosix) {
            // other file systems keep their default permissions
        }
    }

    /** Makes the rename itself durable; not every platform can open a folder, so this is best effort. */
    private static void forceDirectory(Path folder) {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Windows cannot open directories; the rename is still atomic there
        }
    }
}
