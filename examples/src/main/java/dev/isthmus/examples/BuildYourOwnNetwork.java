package dev.isthmus.examples;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.data.Batches;
import dev.isthmus.data.Dataset;
import dev.isthmus.data.DatasetFetcher;
import dev.isthmus.data.DatasetKind;
import dev.isthmus.data.SyntheticBatches;
import dev.isthmus.infer.Prediction;
import dev.isthmus.infer.Predictor;
import dev.isthmus.nn.Conv2d;
import dev.isthmus.nn.Flatten;
import dev.isthmus.nn.Linear;
import dev.isthmus.nn.MaxPool2d;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Models;
import dev.isthmus.nn.ReLU;
import dev.isthmus.nn.Sequential;
import dev.isthmus.tensor.Shape;
import dev.isthmus.train.Batch;
import dev.isthmus.train.Evaluation;
import dev.isthmus.train.ModelCheckpoint;
import dev.isthmus.train.Sgd;
import dev.isthmus.train.SgdSettings;
import dev.isthmus.train.TrainingStep;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * README's "Build your own network": assembles it, trains it for a few steps on a small MNIST subset
 * (a synthetic stand-in, said so, when MNIST cannot be had), saves it, loads the file into a fresh
 * network and predicts. The part between the README markers is README's snippet, word for word
 * (ReadmeSnippetTest checks it).
 *
 * <p>Run: {@code java --enable-native-access=dev.isthmus.core,dev.isthmus.bindings -p target/classes:target/lib
 * -m dev.isthmus.examples/dev.isthmus.examples.BuildYourOwnNetwork [OUTPUT_FOLDER]}
 */
public final class BuildYourOwnNetwork {
    private static final int STEPS = 10;
    private static final int BATCH_SIZE = 64;

    private BuildYourOwnNetwork() {
    }

    public static void main(String[] args) throws Exception {
        Path folder = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "target/example-run"));
        Path file = folder.resolve("mine.safetensors");
        List<Batch> batches = new ArrayList<>();
        List<Batch> testBatches = new ArrayList<>();
        loadData(batches, testBatches);

        // README:begin
        try (Backend backend = new ReferenceBackend();                 // or CudaBackend.open()
             Model model = mine(backend);
             Sgd sgd = new Sgd(SgdSettings.lesson())) {
            model.initialize(42);                                      // PyTorch's default initialisation
            long step = 0;
            for (Batch batch : batches) {                              // from dev.isthmus.data.Batches
                float loss = TrainingStep.run(model, sgd, batch, step++);
                System.out.printf("step %d: loss %.4f%n", step, loss);
            }
            ModelCheckpoint.save(file, model, sgd, new ModelCheckpoint.Progress(0, step, 42, BATCH_SIZE));
        }
        try (Backend backend = new ReferenceBackend();                 // any backend can load the file
             Model reloaded = mine(backend);
             Predictor predictor = Predictor.load(file, reloaded)) {    // the saved weights, into a fresh network
            Batch test = testBatches.getFirst();
            Prediction first = predictor.predict(Arrays.copyOf(test.images(), 28 * 28));  // or a BufferedImage
            System.out.printf("first test image: %s (%.1f%%), label %d%n",
                    first.best().name(), 100 * first.best().probability(), test.labels()[0]);
            System.out.printf("accuracy %.3f%n", Evaluation.run(reloaded, testBatches, 10).accuracy());
        }
        // README:end
        System.out.println("saved, reloaded and predicted: " + file);
    }

    // README:begin
    /** The network: the same layers on any backend. */
    static Model mine(Backend backend) {
        Sequential layers = new Sequential()
                .add("conv1", new Conv2d(backend, 1, 16, 3, 1))        // in, out, kernel, padding
                .add("relu1", new ReLU())
                .add("pool1", new MaxPool2d(Pool2dSpec.of(2)))
                .add("block", Models.residualBlock(backend, 16))
                .add("flatten", new Flatten())
                .add("fc", new Linear(backend, 16 * 14 * 14, 10));
        return new Model("mine", backend, layers, Shape.of(1, 28, 28));
    }
    // README:end

    /** The first {@code STEPS} batches of MNIST's training set and two of its test set, fetched if missing. */
    private static void loadData(List<Batch> train, List<Batch> test) {
        Path mnist = DatasetFetcher.defaultFolder(DatasetKind.MNIST);
        try {
            new DatasetFetcher(DatasetKind.MNIST, mnist, DatasetFetcher.defaultSources(DatasetKind.MNIST, null), System.out::println).fetch();
            Dataset dataset = Dataset.load(DatasetKind.MNIST, mnist).first(STEPS * BATCH_SIZE, 2 * BATCH_SIZE);
            Batches.shuffled(dataset.train(), BATCH_SIZE, 42).epoch(0).forEach(train::add);
            Batches.inOrder(dataset.test(), BATCH_SIZE).epoch(0).forEach(test::add);
            System.out.println("MNIST from " + mnist + ": " + train.size() + " training batches, " + test.size() + " test batches");
        } catch (RuntimeException e) {
            System.out.println("MNIST is not available (" + e.getMessage() + "); using SYNTHETIC images instead, so the accuracy means nothing");
            new SyntheticBatches(42, STEPS, BATCH_SIZE, Shape.of(1, 28, 28), 10).forEach(train::add);
            new SyntheticBatches(43, 2, BATCH_SIZE, Shape.of(1, 28, 28), 10).forEach(test::add);
        }
    }
}
