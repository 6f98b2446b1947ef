package dev.isthmus.data;

import java.nio.file.Files;
import java.nio.file.Path;

/** The four IDX files of an MNIST-format dataset, under their canonical names. */
public enum DataFile {
    /** The training images. */
    TRAIN_IMAGES("train-images-idx3-ubyte", true),
    /** The training labels. */
    TRAIN_LABELS("train-labels-idx1-ubyte", false),
    /** The test images. */
    TEST_IMAGES("t10k-images-idx3-ubyte", true),
    /** The test labels. */
    TEST_LABELS("t10k-labels-idx1-ubyte", false);

    private final String fileName;
    private final boolean images;

    DataFile(String fileName, boolean images) {
        this.fileName = fileName;
        this.images = images;
    }

    /**
     * The raw file name, e.g. {@code train-images-idx3-ubyte}; the compressed one adds {@code .gz}.
     *
     * @return the name
     */
    public String fileName() {
        return fileName;
    }

    /**
     * The compressed file name.
     *
     * @return the raw name with {@code .gz}
     */
    public String gzipFileName() {
        return fileName + ".gz";
    }

    /**
     * Whether this is an image file (else labels).
     *
     * @return true for the image files
     */
    public boolean isImages() {
        return images;
    }

    /**
     * The file in {@code folder}: the raw one if present, else the {@code .gz} one, else null.
     *
     * @param folder the data folder
     * @return the file, or null
     */
    public Path locate(Path folder) {
        Path raw = folder.resolve(fileName);
        if (Files.isRegularFile(raw)) return raw;
        Path gzip = folder.resolve(gzipFileName());
        if (Files.isRegularFile(gzip)) return gzip;
        return null;
    }
}
