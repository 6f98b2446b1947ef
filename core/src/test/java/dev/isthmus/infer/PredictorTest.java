package dev.isthmus.infer;

import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.checkpoint.CheckpointException;
import dev.isthmus.data.DatasetKind;
import dev.isthmus.data.IdxImages;
import dev.isthmus.data.IdxLabels;
import dev.isthmus.data.Normalization;
import dev.isthmus.data.Split;
import dev.isthmus.image.ImagePreparation;
import dev.isthmus.image.ImageTrees;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Models;
import dev.isthmus.tensor.Shape;
import dev.isthmus.train.Batch;
import dev.isthmus.train.ModelCheckpoint;
import dev.isthmus.train.Sgd;
import dev.isthmus.train.SgdSettings;
import dev.isthmus.train.TrainingStep;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PredictorTest {
    private static final InputSpec LETTERS = new InputSpec(InputSpec.IMAGE_FOLDER, List.of("a", "b", "c"), Normalization.MNIST,
            ImagePreparation.Style.RESIZE);

    @TempDir
    Path temp;

    private Path save(Models kind, InputSpec input, long seed) {
        Path file = temp.resolve(kind.id() + seed + ".safetensors");
        try (ReferenceBackend backend = new ReferenceBackend(); Model model = kind.createWithClasses(backend, input.classes()); Sgd sgd = new Sgd(SgdSettings.lesson())) {
            model.initialize(seed);
            ModelCheckpoint.save(file, model, sgd, new ModelCheckpoint.Progress(1, 1, seed, 1), input.toMetadata());
        }
        return file;
    }

    private static float[] randomImages(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[count * 784];
        for (int i = 0; i < values.length; i++) values[i] = (float) random.nextGaussian();
        return values;
    }

    private static float[] image(float[] batch, int index) {
        return java.util.Arrays.copyOfRange(batch, index * 784, (index + 1) * 784);
    }

    @Test
    void loadsTheModelAndClassesNamedInTheCheckpointAndAgreesWithEvaluation() {
        Path file = save(Models.RESNET, LETTERS, 5);
        float[] images = randomImages(16, 1);
        try (ReferenceBackend backend = new ReferenceBackend(); Predictor predictor = Predictor.load(file, backend)) {
            assertEquals("resnet", predictor.model().name());
            assertEquals(LETTERS, predictor.input());
            int[] evaluated = TrainingStep.predict(predictor.model(), new Batch(Shape.of(16, 1, 28, 28), images, new int[16]));
            List<float[]> list = new ArrayList<>();
            for (int i = 0; i < 16; i++) list.add(image(images, i));
            List<Prediction> batch = predictor.predictBatch(list);
            for (int i = 0; i < 16; i++) {
                Prediction one = predictor.predict(image(images, i));
                assertEquals(evaluated[i], one.predicted());
                assertEquals(evaluated[i], one.best().index());
                assertEquals(LETTERS.classNames().get(evaluated[i]), one.best().name());
                assertArrayEquals(batch.get(i).probabilities(), one.probabilities(), 1e-6f);
                double sum = 0;
                for (float p : one.probabilities()) sum += p;
                assertEquals(1, sum, 1e-5);
                List<Prediction.Scored> top = one.top(3);
                assertTrue(top.get(0).probability() >= top.get(1).probability() && top.get(1).probability() >= top.get(2).probability());
            }
        }
    }

    @Test
    void manyThreadsOnTheReferenceBackendGetTheSameAnswersAsOne() throws Exception {
        Path file = save(Models.CNN, InputSpec.of(DatasetKind.MNIST), 9);
        float[] images = randomImages(40, 2);
        try (ReferenceBackend backend = new ReferenceBackend(); Predictor predictor = Predictor.load(file, backend)) {
            List<float[]> expected = new ArrayList<>();
            for (int i = 0; i < 40; i++) expected.add(predictor.predict(image(images, i)).probabilities());
            ExecutorService pool = Executors.newFixedThreadPool(6);
            try {
                List<Future<?>> runs = new ArrayList<>();
                for (int t = 0; t < 6; t++) {
                    int offset = t;
                    runs.add(pool.submit(() -> {
                        for (int round = 0; round < 5; round++) {
                            for (int i = offset; i < 40; i += 3) {
                                assertArrayEquals(expected.get(i), predictor.predict(image(images, i)).probabilities(), "image " + i);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> run : runs) run.get();
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aCustomNetworkTakesTheWeightsAndOtherNetworksAreRefused() {
        Path file = save(Models.CNN, InputSpec.of(DatasetKind.MNIST), 3);
        try (ReferenceBackend backend = new ReferenceBackend(); Model own = Models.CNN.create(backend); Model other = Models.INCEPTION.create(backend)) {
            try (Predictor predictor = Predictor.load(file, own)) {
                assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), predictor.input().classNames());
                assertEquals(10, predictor.predict(new float[784]).probabilities().length);
            }
            assertEquals(10, own.outputShape(1).dim(1), "the caller's model stays open after the predictor closes");
            own.stateDict().get("fc.bias").value().toArray();
            CheckpointException wrong = assertThrows(CheckpointException.class, () -> Predictor.load(file, other));
            assertTrue(wrong.getMessage().startsWith(file.toString()), wrong.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Predictor.of(own, InputSpec.of(DatasetKind.MNIST)).predict(new float[10]));
        }
    }

    @Test
    void checkpointsWithoutInputMetadataAreMnistOnes() {
        Path file = temp.resolve("plain.safetensors");
        try (ReferenceBackend backend = new ReferenceBackend(); Model model = Models.CNN.createWithClasses(backend, 4)) {
            dev.isthmus.checkpoint.SafeTensors.write(file, ModelCheckpoint.parameters(model), java.util.Map.of());
            assertEquals(InputSpec.of(DatasetKind.MNIST), InputSpec.fromMetadata(java.util.Map.of(), file));
            assertThrows(CheckpointException.class, () -> Predictor.load(file, backend), "4 outputs are not MNIST's 10 classes");
        }
    }

    @Test
    void mnistTestImagesAsPngFilesPredictAsTheTestSplitEvaluates() {
        IdxImages images = ImageTrees.mnistTestImages();
        IdxLabels labels = ImageTrees.mnistTestLabels();
        int count = 300;
        Split split = Split.of("test", images, labels, Normalization.MNIST).first(count);
        Path file = save(Models.CNN, InputSpec.of(DatasetKind.MNIST), 42);
        try (ReferenceBackend backend = new ReferenceBackend(); Predictor predictor = Predictor.load(file, backend)) {
            float[] all = new float[count * 784];
            for (int i = 0; i < count; i++) split.copyImage(i, all, i * 784);
            int[] evaluated = TrainingStep.predict(predictor.model(), new Batch(Shape.of(count, 1, 28, 28), all, new int[count]));
            for (int i = 0; i < count; i++) {
                Path png = ImageTrees.write(ImageTrees.gray(28, 28, images.pixels(), i * 784), "png", temp.resolve(i + ".png"));
                BufferedImage read = dev.isthmus.image.ImageFiles.read(png);
                assertArrayEquals(split.image(i), predictor.prepare(read), "image " + i + " reaches the model exactly as in the test split");
                assertEquals(evaluated[i], predictor.predict(read).predicted(), "image " + i);
            }
        }
    }
}
