package dev.isthmus.infer;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.checkpoint.CheckpointException;
import dev.isthmus.checkpoint.SafeTensors;
import dev.isthmus.image.GrayImage;
import dev.isthmus.image.ImagePreparation;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Models;
import dev.isthmus.tensor.Shape;
import dev.isthmus.train.Inference;
import dev.isthmus.train.ModelCheckpoint;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A trained model ready to classify images: it loads a checkpoint by itself (the network from the
 * checkpoint's {@code model} metadata, or one you pass), prepares images as the model's training
 * data was prepared ({@link InputSpec}) and returns class probabilities.
 * <p>
 * Threads: on the {@link ReferenceBackend} any number of threads may call the predict methods at
 * once (each call has its own tensors; the weights are only read). On any other backend, such as
 * CUDA, whose handles and streams belong to one thread, a predictor is confined to the thread that
 * created it and other threads get an {@link IllegalStateException}.
 * <p>
 * Memory: a predictor made by {@link #load(Path, Backend)} owns its model's native memory and frees
 * it in {@link #close()}; the backend stays the caller's to close, after the predictor.
 */
public final class Predictor implements AutoCloseable {
    private final Model model;
    private final boolean ownsModel;
    private final InputSpec input;
    private final Thread owner;

    private Predictor(Model model, boolean ownsModel, InputSpec input) {
        int outputs = Math.toIntExact(model.outputShape(1).numel());
        if (outputs != input.classes()) {
            throw new CheckpointException("model '" + model.name() + "' has " + outputs + " outputs but the checkpoint names "
                    + input.classes() + " classes; pass the network the checkpoint was trained with");
        }
        this.model = model;
        this.ownsModel = ownsModel;
        this.input = input;
        if (ownsModel) model.eval(); // inference: layers with a train/eval difference (dropout, batch norm) use eval's
        this.owner = model.backend() instanceof ReferenceBackend ? null : Thread.currentThread();
    }

    /**
     * Builds the network named by the checkpoint's {@code model} metadata ({@code cnn} when absent)
     * on {@code backend}, with as many outputs as the checkpoint has classes, and loads its weights.
     *
     * @param checkpoint a {@code model.safetensors} written by {@code isthmus train} (or a PyTorch state dict of an MNIST model)
     * @param backend    where the model runs; stays the caller's, to close after the predictor
     * @return a predictor that owns the model it built
     * @throws CheckpointException (exit code 2) when the file is damaged, names a network Isthmus does
     *                             not build, or its tensors do not fit that network
     */
    public static Predictor load(Path checkpoint, Backend backend) {
        var metadata = SafeTensors.read(checkpoint).metadata();
        InputSpec input = InputSpec.fromMetadata(metadata, checkpoint);
        String id = metadata.getOrDefault("model", Models.CNN.id());
        Models architecture;
        try {
            architecture = Models.byId(id);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(checkpoint + ": checkpoint of model '" + id + "', which Isthmus does not build;"
                    + " pass that network with Predictor.load(file, model)", e);
        }
        Model model = architecture.createWithClasses(backend, input.classes());
        try {
            ModelCheckpoint.loadWeights(checkpoint, model);
            return new Predictor(model, true, input);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * Loads the checkpoint's weights into {@code model}, a network of your own with the checkpoint's
     * parameter names and shapes. The model stays the caller's: {@link #close()} does not close it.
     *
     * @param checkpoint a checkpoint of {@code model}'s architecture
     * @param model      the network to load the weights into
     * @return a predictor using {@code model}
     * @throws CheckpointException when the checkpoint's tensors do not fit {@code model}
     */
    public static Predictor load(Path checkpoint, Model model) {
        InputSpec input = InputSpec.fromMetadata(SafeTensors.read(checkpoint).metadata(), checkpoint);
        ModelCheckpoint.loadWeights(checkpoint, model);
        return new Predictor(model, false, input);
    }

    /**
     * A predictor for {@code model} as it is (weights already set); the model stays the caller's.
     *
     * @param model the trained network
     * @param input what it was trained on
     * @return a predictor using {@code model}
     */
    public static Predictor of(Model model, InputSpec input) {
        return new Predictor(model, false, input);
    }

    /**
     * The model, for inspection; do not close it while the predictor is in use.
     *
     * @return the network predictions run on
     */
    public Model model() {
        return model;
    }

    /**
     * What the model was trained on.
     *
     * @return classes, normalisation and image preparation
     */
    public InputSpec input() {
        return input;
    }

    /**
     * The model's input for {@code image}, polarity detected ({@link ImagePreparation.Polarity#AUTO}).
     *
     * @param image any decoded image
     * @return {@code rows * columns} normalised floats
     */
    public float[] prepare(BufferedImage image) {
        return prepare(image, ImagePreparation.Polarity.AUTO);
    }

    /**
     * The model's input for {@code image}: grey, prepared as in training with the given polarity, normalised.
     *
     * @param image    any decoded image
     * @param polarity whether to invert its grey levels
     * @return {@code rows * columns} normalised floats
     */
    public float[] prepare(BufferedImage image, ImagePreparation.Polarity polarity) {
        float[] levels = input.preparation(model.sampleShape()).withPolarity(polarity).apply(GrayImage.of(image)).pixels();
        float[] values = new float[levels.length];
        for (int i = 0; i < levels.length; i++) values[i] = input.normalization().apply(levels[i]);
        return values;
    }

    /**
     * Classifies one image of any size (polarity detected).
     *
     * @param image any decoded image
     * @return the class probabilities
     */
    public Prediction predict(BufferedImage image) {
        return predict(prepare(image));
    }

    /**
     * Classifies one image already in model input form.
     *
     * @param image {@code rows * columns} normalised floats, as {@link #prepare(BufferedImage)} gives
     * @return the class probabilities
     */
    public Prediction predict(float[] image) {
        return predictBatch(List.of(image)).getFirst();
    }

    /**
     * Classifies several model-input images in one forward pass.
     *
     * @param images each {@code rows * columns} normalised floats
     * @return one prediction per image, in the same order
     */
    public List<Prediction> predictBatch(List<float[]> images) {
        checkThread();
        Shape sample = model.sampleShape();
        int size = Math.toIntExact(sample.numel());
        float[] batch = new float[images.size() * size];
        for (int i = 0; i < images.size(); i++) {
            if (images.get(i).length != size) {
                throw new IllegalArgumentException("image " + i + " has " + images.get(i).length + " values but model '" + model.name()
                        + "' takes " + sample + " = " + size + "; prepare images with prepare(BufferedImage)");
            }
            System.arraycopy(images.get(i), 0, batch, i * size, size);
        }
        int[] dims = new int[sample.rank() + 1];
        dims[0] = images.size();
        System.arraycopy(sample.dims(), 0, dims, 1, sample.rank());
        float[] logits = Inference.logits(model, Shape.of(dims), batch);
        List<Prediction> predictions = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) predictions.add(Prediction.ofLogits(logits, i * input.classes(), input.classNames()));
        return predictions;
    }

    private void checkThread() {
        if (owner != null && Thread.currentThread() != owner) {
            throw new IllegalStateException("this predictor runs on backend " + model.backend().name() + ", whose state belongs to thread '"
                    + owner.getName() + "'; use it from that thread or create one predictor per thread");
        }
    }

    /** Frees the model's native memory when this predictor loaded it; the backend is left open. */
    @Override
    public void close() {
        if (ownsModel) model.close();
    }
}
