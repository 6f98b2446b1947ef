package dev.isthmus.nn;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.tensor.Shape;
import dev.isthmus.train.Batch;
import dev.isthmus.train.Sgd;
import dev.isthmus.train.SgdSettings;
import dev.isthmus.train.TrainingStep;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's "build your own network" example, as written there, trains. */
class CustomNetworkTest {

    @Test
    void theReadmeExampleAssemblesAndTrains() {
        SplittableRandom random = new SplittableRandom(3);
        float[] images = new float[4 * 28 * 28];
        for (int i = 0; i < images.length; i++) images[i] = (float) random.nextGaussian();
        Batch batch = new Batch(Shape.of(4, 1, 28, 28), images, new int[] {1, 7, 3, 9});

        try (Backend backend = new ReferenceBackend()) {
            Sequential layers = new Sequential()
                    .add("conv1", new Conv2d(backend, 1, 16, 3, 1))
                    .add("relu1", new ReLU())
                    .add("pool1", new MaxPool2d(Pool2dSpec.of(2)))
                    .add("block", Models.residualBlock(backend, 16))
                    .add("flatten", new Flatten())
                    .add("fc", new Linear(backend, 16 * 14 * 14, 10));
            try (Model model = new Model("mine", backend, layers, Shape.of(1, 28, 28)); Sgd sgd = new Sgd(SgdSettings.lesson())) {
                model.initialize(42);
                assertEquals(Shape.of(4, 10), model.outputShape(4));
                assertTrue(model.stateDict().containsKey("block.conv2.weight"), model.stateDict().keySet()::toString);
                float first = TrainingStep.run(model, sgd, batch, 0);
                float later = first;
                for (int step = 1; step < 20; step++) later = TrainingStep.run(model, sgd, batch, step);
                assertTrue(later < first / 2, "a network fitting one batch must lower its loss: " + first + " -> " + later);
            }
        }
    }
}
