package dev.isthmus.infer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.isthmus.checkpoint.CheckpointException;
import dev.isthmus.data.DatasetKind;
import dev.isthmus.data.Normalization;
import dev.isthmus.image.ImagePreparation;
import dev.isthmus.tensor.Shape;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a model was trained on, as far as its input and output are concerned: the data set's name,
 * the class names (index order), the pixel normalisation and how images are prepared. Stored in a
 * checkpoint's metadata by {@code isthmus train} so that predict turns a new image into exactly the
 * input the model was trained on, and names the classes.
 *
 * @param dataset       {@code mnist}, {@code fashion-mnist} or {@code image-folder}
 * @param classNames    one name per model output, in index order
 * @param normalization the statistics the pixels were normalised with
 * @param style         how an image of another size is brought to the model's input size
 */
public record InputSpec(String dataset, List<String> classNames, Normalization normalization, ImagePreparation.Style style) {
    /** Metadata key of {@link #dataset()}. */
    public static final String DATASET = "dataset";
    /** Metadata key of {@link #classNames()}, a JSON array of strings. */
    public static final String CLASS_NAMES = "class_names";
    /** Metadata key of the normalisation's mean. */
    public static final String MEAN = "normalization_mean";
    /** Metadata key of the normalisation's standard deviation. */
    public static final String STD = "normalization_std";
    /** Metadata key of {@link #style()}'s id. */
    public static final String PREPARATION = "input_preparation";
    /** The {@link #dataset()} of an image folder. */
    public static final String IMAGE_FOLDER = "image-folder";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Copies the class names and requires at least one. */
    public InputSpec {
        classNames = List.copyOf(classNames);
        if (classNames.isEmpty()) throw new IllegalArgumentException("a model needs at least one class");
    }

    /**
     * The input of a named data set: its classes and statistics; MNIST digits are centred as MNIST's
     * were, Fashion-MNIST's images are resized.
     *
     * @param kind the data set
     * @return its input spec
     */
    public static InputSpec of(DatasetKind kind) {
        return new InputSpec(kind.id(), kind.classNames(), kind.normalization(),
                kind == DatasetKind.MNIST ? ImagePreparation.Style.MNIST_DIGIT : ImagePreparation.Style.RESIZE);
    }

    /**
     * The number of classes, which is the model's number of outputs.
     *
     * @return the number of class names
     */
    public int classes() {
        return classNames.size();
    }

    /**
     * The preparation for a model taking {@code sampleShape}, polarity detected.
     *
     * @param sampleShape one input sample, [1, rows, columns]
     * @return the preparation to that size
     */
    public ImagePreparation preparation(Shape sampleShape) {
        return new ImagePreparation(style, ImagePreparation.Polarity.AUTO, sampleShape.dim(1), sampleShape.dim(2));
    }

    /**
     * The checkpoint metadata entries that record this spec.
     *
     * @return entries under {@link #DATASET}, {@link #CLASS_NAMES}, {@link #MEAN}, {@link #STD} and {@link #PREPARATION}
     */
    public Map<String, String> toMetadata() {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(DATASET, dataset);
        try {
            metadata.put(CLASS_NAMES, JSON.writeValueAsString(classNames));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write class names as JSON", e);
        }
        metadata.put(MEAN, Float.toString(normalization.mean()));
        metadata.put(STD, Float.toString(normalization.std()));
        metadata.put(PREPARATION, style.id());
        return metadata;
    }

    /**
     * Reads the spec from a checkpoint's metadata. Entries that are absent (checkpoints from before
     * they were recorded, or PyTorch state dicts) default to the named data set's, MNIST when none is named.
     *
     * @param metadata a checkpoint's metadata
     * @param file     the checkpoint, for messages
     * @return the recorded spec, or the defaults
     * @throws CheckpointException when an entry is present but malformed
     */
    public static InputSpec fromMetadata(Map<String, String> metadata, Path file) {
        String dataset = metadata.getOrDefault(DATASET, DatasetKind.MNIST.id());
        InputSpec defaults = IMAGE_FOLDER.equals(dataset) ? null : of(parseKind(dataset, file));
        try {
            List<String> names = metadata.containsKey(CLASS_NAMES)
                    ? JSON.readValue(metadata.get(CLASS_NAMES), new TypeReference<List<String>>() { })
                    : require(defaults, CLASS_NAMES, file).classNames();
            Normalization normalization = metadata.containsKey(MEAN) && metadata.containsKey(STD)
                    ? new Normalization(Float.parseFloat(metadata.get(MEAN)), Float.parseFloat(metadata.get(STD)))
                    : require(defaults, MEAN, file).normalization();
            ImagePreparation.Style style = metadata.containsKey(PREPARATION)
                    ? ImagePreparation.Style.byId(metadata.get(PREPARATION)) : require(defaults, PREPARATION, file).style();
            return new InputSpec(dataset, names, normalization, style);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new CheckpointException(file + ": malformed input metadata (" + e.getMessage().lines().findFirst().orElse("") + ");"
                    + " write the checkpoint again with `isthmus train`", e);
        }
    }

    private static DatasetKind parseKind(String dataset, Path file) {
        for (DatasetKind kind : DatasetKind.values()) {
            if (kind.id().equals(dataset)) return kind;
        }
        throw new CheckpointException(file + ": metadata names data set '" + dataset + "', which Isthmus does not know;"
                + " expected mnist, fashion-mnist or " + IMAGE_FOLDER);
    }

    private static InputSpec require(InputSpec defaults, String key, Path file) {
        if (defaults == null) {
            throw new CheckpointException(file + ": an image-folder checkpoint lacks metadata '" + key + "'; write it again with `isthmus train`");
        }
        return defaults;
    }
}
