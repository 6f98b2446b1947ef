package dev.isthmus.image;

import dev.isthmus.data.DatasetException;
import dev.isthmus.data.IoProblems;
import dev.isthmus.data.Normalization;
import dev.isthmus.data.Split;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * A labelled image collection in torchvision's {@code ImageFolder} layout: {@code root/<class>/**}
 * image files. Classes are the sub-folders sorted by name, as torchvision sorts them, and a class's
 * index is its position in that order. Files are found recursively and sorted by path.
 * <p>
 * Files whose name does not end in an image extension ({@link ImageFiles#EXTENSIONS}) are skipped and
 * counted ({@link #skippedFiles()}), as torchvision skips them; a file with an image extension that
 * cannot be decoded is an error naming it. Images may have any size: {@link #load} converts each
 * one with an {@link ImagePreparation} to the model's fixed input size.
 */
public final class ImageFolder {

    /**
     * One image file and its class index.
     *
     * @param file  the image file
     * @param label the index of its class folder in {@link #classNames()}
     */
    public record Sample(Path file, int label) {
    }

    private final Path root;
    private final List<String> classNames;
    private final List<Sample> samples;
    private final int skippedFiles;

    private ImageFolder(Path root, List<String> classNames, List<Sample> samples, int skippedFiles) {
        this.root = root;
        this.classNames = List.copyOf(classNames);
        this.samples = List.copyOf(samples);
        this.skippedFiles = skippedFiles;
    }

    /**
     * Lists the classes and image files under {@code root} (nothing is decoded yet).
     *
     * @param root the folder holding one sub-folder per class
     * @return the classes and files found
     * @throws DatasetException naming the folder when it does not exist, has no class folders, or a
     *                          class folder has no image file
     */
    public static ImageFolder scan(Path root) {
        String layout = "class folders holding images, root/<class>/*.png|jpg (torchvision's ImageFolder layout)";
        if (!Files.isDirectory(root)) {
            throw new DatasetException(root, "is not a folder", layout, "pass --data DIR of that layout");
        }
        List<Path> classFolders = list(root).filter(Files::isDirectory)
                .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        if (classFolders.isEmpty()) {
            throw new DatasetException(root, "has no class folders", layout, "put each class's images in a sub-folder named after the class");
        }
        List<String> names = new ArrayList<>();
        List<Sample> samples = new ArrayList<>();
        int skipped = 0;
        for (Path classFolder : classFolders) {
            ImageFiles.Listing listing = ImageFiles.list(classFolder);
            List<Path> images = listing.images();
            skipped += listing.skipped();
            if (images.isEmpty()) {
                throw new DatasetException(classFolder, "class folder has no image file", "at least one file ending in one of "
                        + ImageFiles.EXTENSIONS.stream().sorted().toList(), "add images or remove the folder");
            }
            int label = names.size();
            names.add(classFolder.getFileName().toString());
            images.forEach(file -> samples.add(new Sample(file, label)));
        }
        return new ImageFolder(root, names, samples, skipped);
    }

    private static Stream<Path> list(Path folder) {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.toList().stream();
        } catch (IOException e) {
            throw new DatasetException(folder + ": cannot list the folder (" + IoProblems.describe(e) + ")", e);
        }
    }

    /**
     * The folder scanned.
     *
     * @return the root given to {@link #scan}
     */
    public Path root() {
        return root;
    }

    /**
     * The classes.
     *
     * @return class names, sorted; a class's label is its index here
     */
    public List<String> classNames() {
        return classNames;
    }

    /**
     * The images.
     *
     * @return every image file with its label, classes in order, files sorted by path within each
     */
    public List<Sample> samples() {
        return samples;
    }

    /**
     * The files that were not taken.
     *
     * @return how many files were skipped because their name has no image extension
     */
    public int skippedFiles() {
        return skippedFiles;
    }

    /**
     * Divides the samples at random into a training part and a validation part of
     * {@code round(fraction * size)} samples (at least one of each), the same for the same seed.
     *
     * @param fraction the validation share, above 0 and below 1
     * @param seed     chooses the validation samples
     * @return two lists: training samples, then validation samples, each in this folder's order
     */
    public List<List<Sample>> split(double fraction, long seed) {
        if (!(fraction > 0 && fraction < 1)) throw new IllegalArgumentException("--val-split must be above 0 and below 1, got " + fraction);
        if (samples.size() < 2) {
            throw new DatasetException(root + ": holds " + samples.size() + " image; a validation split needs at least 2 (pass --val DIR instead)");
        }
        int[] order = IntStream.range(0, samples.size()).toArray();
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        int validation = (int) Math.min(samples.size() - 1, Math.max(1, Math.round(fraction * samples.size())));
        boolean[] isValidation = new boolean[samples.size()];
        for (int i = 0; i < validation; i++) isValidation[order[i]] = true;
        List<Sample> train = new ArrayList<>();
        List<Sample> val = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) (isValidation[i] ? val : train).add(samples.get(i));
        return List.of(train, val);
    }

    /**
     * Decodes, prepares and normalises {@code chosen} (in parallel) into a split of
     * {@code preparation.rows() x preparation.columns()} images.
     *
     * @param name          the split's name, for messages
     * @param chosen        the samples to load, in order
     * @param preparation   how each image becomes the model's input
     * @param normalization the pixel statistics
     * @return the images and their labels
     * @throws DatasetException naming the first file that cannot be read or decoded
     */
    public static Split load(String name, List<Sample> chosen, ImagePreparation preparation, Normalization normalization) {
        int pixels = preparation.rows() * preparation.columns();
        float[] images = new float[chosen.size() * pixels];
        int[] labels = new int[chosen.size()];
        IntStream.range(0, chosen.size()).parallel().forEach(i -> {
            float[] prepared = preparation.apply(GrayImage.of(ImageFiles.read(chosen.get(i).file()))).pixels();
            for (int p = 0; p < pixels; p++) images[i * pixels + p] = normalization.apply(prepared[p]);
            labels[i] = chosen.get(i).label();
        });
        return Split.ofNormalized(name, preparation.rows(), preparation.columns(), images, labels);
    }
}
