package dev.isthmus.data;

import java.nio.file.Files;
import java.nio.file.Path;

/** The four IDX files of an MNIST-format dataset, under their canonical names. */
public enum DataFile {
    TRAIN_IMAGES("train-images-idx3-ubyte", true),
    TRAIN_LABELS("train-labels-idx1-ubyte", false),
    TEST_IMAGES("t10k-images-idx3-ubyte", true),
    TEST_LABELS("t10k-labels-idx1-ubyte", false);

    private final String fileName;
    private final boolean images;

    DataFile(String fileName, boolean images) {
        this.fileName = fileName;
        this.images = images;
    }

    /** The raw file name, e.g. {@code train-images-idx3-ubyte}; the compressed one adds {@code .gz}. */
    public String fileName() {
        return fileName;
    }

    public String gzipFileName() {
        return fileName + ".gz";
    }

    public boolean isImages() {
        return images;
    }

    /** The file in {@code folder}: the raw one if present, else the {@code .gz} one, else null. */
    public Path locate(Path folder) {
        Path raw = folder.resolve(fileName);
        if (Files.isRegularFile(raw)) return raw;
        Path gzip = folder.resolve(gzipFileName());
        if (Files.isRegularFile(gzip)) return gzip;
        return null;
    }
}
