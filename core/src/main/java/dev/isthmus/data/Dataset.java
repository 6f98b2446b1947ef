package dev.isthmus.data;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A dataset's train and test splits, loaded from a folder holding the four IDX files (raw or
 * {@code .gz}, see {@link DataFile#locate}) and normalised with the dataset's statistics.
 * Loading checks the structure of every file; the SHA-256 pins are checked by
 * {@link DatasetFetcher#verify}, so a folder of one's own MNIST-format data loads too.
 *
 * @param kind  which dataset
 * @param train the training split
 * @param test  the test split
 */
public record Dataset(DatasetKind kind, Split train, Split test) {

    /**
     * Loads with the dataset's own normalisation ({@link DatasetKind#normalization()}).
     *
     * @param kind   which dataset
     * @param folder the folder holding the four files
     * @return the splits, on the Java heap
     */
    public static Dataset load(DatasetKind kind, Path folder) {
        return load(kind, folder, kind.normalization());
    }

    /**
     * Loads with the given normalisation.
     *
     * @param kind          which dataset
     * @param folder        the folder holding the four files
     * @param normalization how pixels become floats
     * @return the splits, on the Java heap
     */
    public static Dataset load(DatasetKind kind, Path folder, Normalization normalization) {
        String fix = kind.fixHint();
        if (!Files.isDirectory(folder)) {
            throw new DatasetException(folder, "data folder does not exist", "a folder with the four " + kind.displayName() + " IDX files", fix);
        }
        Split train = loadSplit(kind, folder, "train", DataFile.TRAIN_IMAGES, DataFile.TRAIN_LABELS, normalization, fix);
        Split test = loadSplit(kind, folder, "test", DataFile.TEST_IMAGES, DataFile.TEST_LABELS, normalization, fix);
        if (train.rows() != test.rows() || train.columns() != test.columns()) {
            throw new DatasetException(folder, "train images are " + train.rows() + "x" + train.columns() + " but test images are "
                    + test.rows() + "x" + test.columns(), "equal image sizes in both splits", fix);
        }
        return new Dataset(kind, train, test);
    }

    private static Split loadSplit(DatasetKind kind, Path folder, String name, DataFile imagesFile, DataFile labelsFile,
                                   Normalization normalization, String fix) {
        Path imagesPath = require(kind, folder, imagesFile, fix);
        Path labelsPath = require(kind, folder, labelsFile, fix);
        IdxImages images = IdxReader.readImages(imagesPath, fix);
        IdxLabels labels = IdxReader.readLabels(labelsPath, kind.classes(), fix);
        if (images.count() != labels.count()) {
            throw new DatasetException(labelsPath, "holds " + labels.count() + " labels but " + imagesPath.getFileName() + " holds "
                    + images.count() + " images", "one label per image", fix);
        }
        return Split.of(name, images, labels, normalization);
    }

    private static Path require(DatasetKind kind, Path folder, DataFile file, String fix) {
        Path found = file.locate(folder);
        if (found == null) {
            throw new DatasetException(folder.resolve(file.fileName()), "not found (nor " + file.gzipFileName() + ")",
                    "the " + kind.displayName() + " file " + file.fileName(), fix);
        }
        return found;
    }

    /**
     * The same dataset cut to the first {@code trainCount} and {@code testCount} samples, for fast runs.
     *
     * @param trainCount training samples to keep
     * @param testCount  test samples to keep
     * @return the smaller dataset
     */
    public Dataset first(int trainCount, int testCount) {
        return new Dataset(kind, train.first(trainCount), test.first(testCount));
    }

    /**
     * The number of classes.
     *
     * @return how many classes the labels name
     */
    public int classes() {
        return kind.classes();
    }
}
