package dev.isthmus.cli;

import dev.isthmus.data.Dataset;
import dev.isthmus.data.DatasetException;
import dev.isthmus.data.Normalization;
import dev.isthmus.data.Split;
import dev.isthmus.image.ImageFolder;
import dev.isthmus.image.ImagePreparation;
import dev.isthmus.infer.InputSpec;
import dev.isthmus.tensor.Shape;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * What train and eval run on: an IDX data set (MNIST, Fashion-MNIST) or an image folder given as
 * {@code --data DIR}, with the {@link InputSpec} that says how its images became model inputs.
 *
 * @param description for the summary lines, e.g. "MNIST" or "image folder digits/"
 * @param input       classes, normalisation and preparation
 * @param train       training images (empty for eval)
 * @param test        the images evaluated
 */
record TrainingData(String description, InputSpec input, Split train, Split test) {

    /** Image folders are normalised with MNIST's statistics, which suit grey drawings; the values go into the checkpoint. */
    static final Normalization FOLDER_NORMALIZATION = Normalization.MNIST;

    /** The input of a new training run: the named data set's, or an image folder's classes. */
    static InputSpec trainingInput(DataOptions data, ImagePreparation.Style folderStyle) {
        if (!data.isImageFolder()) return InputSpec.of(data.dataset);
        return new InputSpec(InputSpec.IMAGE_FOLDER, ImageFolder.scan(data.folder).classNames(), FOLDER_NORMALIZATION, folderStyle);
    }

    /** Loads the training and validation images for {@code input} and a model taking {@code sample}. */
    static TrainingData forTraining(DataOptions data, ValidationOptions validation, InputSpec input, Shape sample, long seed, PrintWriter err) {
        validation.validate();
        if (!data.isImageFolder()) {
            requireNoValidationOptions(validation);
            Dataset dataset = data.load(err);
            return new TrainingData(dataset.kind().displayName(), input, dataset.train(), dataset.test());
        }
        ImageFolder folder = scan(data.folder, err);
        ImagePreparation preparation = input.preparation(sample);
        if (validation.folder != null) {
            ImageFolder val = scan(validation.folder, err);
            requireSameClasses(val, input.classNames());
            return new TrainingData("image folder " + data.folder, input,
                    ImageFolder.load("train", folder.samples(), preparation, input.normalization()),
                    ImageFolder.load("val", val.samples(), preparation, input.normalization()));
        }
        double share = validation.split != null ? validation.split : ValidationOptions.DEFAULT_SPLIT;
        if (validation.split == null) err.println("note: holding out " + share + " of " + data.folder + " for validation (--val-split " + share + ", --seed " + seed + ")");
        List<List<ImageFolder.Sample>> parts = folder.split(share, seed);
        return new TrainingData("image folder " + data.folder, input,
                ImageFolder.load("train", parts.get(0), preparation, input.normalization()),
                ImageFolder.load("val", parts.get(1), preparation, input.normalization()));
    }

    /**
     * The images eval classifies: an IDX data set's test split, or, for an image folder, {@code --val DIR},
     * the held-out share of {@code --data} (the same as train's for the same --val-split and seed), or all of it.
     */
    static TrainingData forEvaluation(DataOptions data, ValidationOptions validation, InputSpec input, Shape sample, long seed, PrintWriter err) {
        validation.validate();
        if (!data.isImageFolder()) {
            requireNoValidationOptions(validation);
            Dataset dataset = data.load(err);
            InputSpec named = InputSpec.of(dataset.kind());
            if (named.classes() != input.classes()) {
                throw new IllegalArgumentException("the checkpoint's model has " + input.classes() + " classes but " + dataset.kind().displayName()
                        + " has " + named.classes() + "; evaluate it on the image folder it was trained on (--data DIR)");
            }
            return new TrainingData(dataset.kind().displayName() + " test set", named, emptySplit(sample), dataset.test());
        }
        ImagePreparation preparation = input.preparation(sample);
        Path root = validation.folder != null ? validation.folder : data.folder;
        ImageFolder folder = scan(root, err);
        requireSameClasses(folder, input.classNames());
        List<ImageFolder.Sample> chosen = validation.split != null ? folder.split(validation.split, seed).get(1) : folder.samples();
        String what = validation.split != null ? "validation share " + validation.split + " of " + root : "image folder " + root;
        return new TrainingData(what, input, emptySplit(sample), ImageFolder.load("eval", chosen, preparation, input.normalization()));
    }

    private static Split emptySplit(Shape sample) {
        return Split.ofNormalized("none", sample.dim(1), sample.dim(2), new float[0], new int[0]);
    }

    private static ImageFolder scan(Path root, PrintWriter err) {
        ImageFolder folder = ImageFolder.scan(root);
        if (folder.skippedFiles() > 0) {
            err.println("note: skipped " + folder.skippedFiles() + " file(s) in " + root + " whose names do not end in an image extension");
        }
        return folder;
    }

    private static void requireSameClasses(ImageFolder folder, List<String> expected) {
        if (!folder.classNames().equals(expected)) {
            throw new DatasetException(folder.root() + ": class folders " + folder.classNames() + " differ from the model's classes "
                    + expected + "; use a folder with the same class folders");
        }
    }

    private static void requireNoValidationOptions(ValidationOptions validation) {
        if (validation.folder != null || validation.split != null) {
            throw new IllegalArgumentException("--val and --val-split apply to an image folder given as --data DIR (root/<class>/*.png);"
                    + " the IDX data sets have their own test split");
        }
    }
}
