package dev.isthmus.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Writes a data file into its folder only once its length and SHA-256 match the pin: nothing
 * corrupt or partial is ever left under a final name.
 */
final class VerifiedInstaller {
    private final Map<DataFile, FilePin> pins;
    private final Path folder;

    VerifiedInstaller(Map<DataFile, FilePin> pins, Path folder) {
        this.pins = Map.copyOf(pins);
        this.folder = folder;
    }

    /** The folder files are installed into. */
    Path folder() {
        return folder;
    }

    /**
     * Streams one file (raw or gzip, told apart by its magic bytes) to a temporary file in the
     * target folder, checks its length and SHA-256, forces it to disk and moves it over the final
     * name atomically. On any failure the temporary file is deleted and the old file is untouched.
     */
    void install(DataFile file, InputStream source) throws IOException {
        long expectedBytes = pins.get(file).bytes();
        String expectedDigest = pins.get(file).sha256();
        Path target = folder.resolve(file.fileName());
        Path temp = Files.createTempFile(folder, "." + file.fileName() + ".", ".part");
        boolean moved = false;
        try {
            makeReadableByAll(temp);
            MessageDigest sha256 = sha256();
            long written;
            try (InputStream content = decompressIfGzip(source);
                 FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                written = copyBounded(content, Channels.newOutputStream(channel), sha256, expectedBytes + 1);
                channel.force(true);
            }
            if (written != expectedBytes) {
                throw new IOException("content is " + (written > expectedBytes ? "more than " + expectedBytes : written)
                        + " bytes, expected " + expectedBytes + " (truncated or not this dataset's file)");
            }
            String digest = HexFormat.of().formatHex(sha256.digest());
            if (!digest.equals(expectedDigest)) {
                throw new IOException("SHA-256 of the content is " + digest + ", expected " + expectedDigest + " (corrupt or not this dataset's file)");
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
        } finally {
            if (!moved) Files.deleteIfExists(temp);
        }
    }

    /** Temporary files a fetch leaves only if the process is killed mid-write ({@code .<name>.*.part}). */
    static List<Path> partialFiles(Path folder) throws IOException {
        List<Path> parts = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(folder, ".*.part")) {
            stream.forEach(parts::add);
        }
        return parts;
    }

    /** Temporary files are created owner-only; data files are not secret, and a shared data folder should stay usable. */
    private static void makeReadableByAll(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException notPosix) {
            // other file systems keep their default permissions
        }
    }

    /** SHA-256 of a file's content, decompressed if it is gzip; reading stops after {@code limit} bytes. */
    static String contentSha256(Path path, long limit) throws IOException {
        MessageDigest sha256 = sha256();
        try (InputStream in = decompressIfGzip(Files.newInputStream(path))) {
            copyBounded(in, OutputStream.nullOutputStream(), sha256, limit);
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    private static InputStream decompressIfGzip(InputStream source) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(source, 1 << 16);
        buffered.mark(2);
        boolean gzip = buffered.read() == 0x1f && buffered.read() == 0x8b;
        buffered.reset();
        return gzip ? new GZIPInputStream(buffered, 1 << 16) : buffered;
    }

    /** Copies at most {@code limit} bytes, feeding the digest; returns the count copied. */
    private static long copyBounded(InputStream in, OutputStream out, MessageDigest digest, long limit) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long total = 0;
        while (total < limit) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - total));
            if (n < 0) break;
            digest.update(buffer, 0, n);
            out.write(buffer, 0, n);
            total += n;
        }
        return total;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }
}
