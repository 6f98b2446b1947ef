package dev.isthmus.backend.cuda;

import dev.isthmus.backend.CapturedGraph;
import dev.isthmus.backend.GraphCaptureException;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Models;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;
import dev.isthmus.testing.standin.CudaStandIn;
import dev.isthmus.testing.standin.StandInControls;
import dev.isthmus.IsthmusException;
import dev.isthmus.train.Adam;
import dev.isthmus.train.AdamSettings;
import dev.isthmus.train.Batch;
import dev.isthmus.train.DivergedException;
import dev.isthmus.train.GraphedSteps;
import dev.isthmus.train.Sgd;
import dev.isthmus.train.SgdSettings;
import dev.isthmus.train.Trainer;
import dev.isthmus.train.TrainingStep;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whole training steps captured as CUDA graphs on the stand-in, which records work on a capturing stream
 * and refuses what CUDA refuses (docs/cuda-standin.md): the step really is capturable, and replaying it
 * gives the same numbers as running it eagerly, bit for bit.
 */
@Tag("standin")
class StandInGraphedTrainingTest {
    private static final int STEPS = 50;
    private static StandInControls controls;

    @BeforeAll
    static void useStandIn() {
        CudaStandIn.useForCudaBackend();
        CudaEnvironment.requireUsable();
        controls = StandInControls.open();
    }

    /** Batches of 8, with a partial batch of 5 every fifth step (a second captured shape). */
    private static Batch batch(int step) {
        return CudaConformanceSuite.randomBatch(1000 + step, step % 5 == 4 ? 5 : 8);
    }

    private record Run(float[] losses, Map<String, float[]> parameters, long launches, String fallback) {
    }

    private static Run train(boolean capture) {
        return train(capture, -1);
    }

    /** Trains {@link #STEPS} steps; from step {@code lowerRateAt} on (if not negative) at a tenth of the lesson's rate. */
    private static Run train(boolean capture, int lowerRateAt) {
        try (CudaBackend cuda = CudaBackend.open(); Model model = Models.CNN.create(cuda, 3); Sgd sgd = new Sgd(SgdSettings.lesson());
             GraphedSteps steps = new GraphedSteps(model, sgd, 10, capture, 7)) {
            List<Float> losses = new ArrayList<>();
            for (int step = 0; step < STEPS; step++) {
                if (step == lowerRateAt) sgd.setLearningRate(SgdSettings.lesson().learningRate() / 10);
                for (float loss : steps.step(batch(step))) losses.add(loss);
            }
            for (float loss : steps.read()) losses.add(loss);
            float[] curve = new float[losses.size()];
            for (int i = 0; i < curve.length; i++) curve[i] = losses.get(i);
            return new Run(curve, parameters(model), steps.graphLaunches(), steps.fallbackReason());
        }
    }

    private static Map<String, float[]> parameters(Model model) {
        Map<String, float[]> values = new LinkedHashMap<>();
        model.stateDict().forEach((name, parameter) -> values.put(name, parameter.value().toArray()));
        return values;
    }

    @Test
    void fiftyCapturedStepsGiveTheEagerLossCurveAndWeightsBitForBit() {
        long graphsBefore = controls.liveGraphs();
        Run eager = train(false);
        Run graphed = train(true);
        assertNull(graphed.fallback(), "the step is capturable");
        // Two eager warm-up steps per batch size (8 and 5); every other step is one graph launch.
        assertEquals(STEPS - 2 * 2, graphed.launches());
        assertEquals(STEPS, graphed.losses().length);
        assertArrayEquals(eager.losses(), graphed.losses(), "loss curve");
        eager.parameters().forEach((name, values) -> assertArrayEquals(values, graphed.parameters().get(name), name));
        assertEquals(graphsBefore, controls.liveGraphs(), "closing the steps destroys their graphs");
    }

    /** A graph keeps the learning rate of its capture; a schedule's new rate must give a new capture, not the old rate. */
    @Test
    void aNewLearningRateIsCapturedAnewAndGivesTheEagerWeights() {
        Run eager = train(false, 23);
        Run graphed = train(true, 23);
        assertNull(graphed.fallback(), "the step is capturable");
        assertEquals(STEPS - 2 * 2 - 2, graphed.launches(), "one more eager step per batch size, then the new rate's capture");
        assertArrayEquals(eager.losses(), graphed.losses(), "loss curve");
        eager.parameters().forEach((name, values) -> assertArrayEquals(values, graphed.parameters().get(name), name));
        Run unchanged = train(true);
        assertTrue(!Arrays.equals(unchanged.parameters().get("fc.weight"), graphed.parameters().get("fc.weight")),
                "the lower rate changed the training");
    }

    @Test
    void capturedStepsTrainAsTheClassicStepDoes() {
        Map<String, float[]> classic;
        float[] classicLosses = new float[STEPS];
        try (CudaBackend cuda = CudaBackend.open(); Model model = Models.CNN.create(cuda, 3); Sgd sgd = new Sgd(SgdSettings.lesson())) {
            for (int step = 0; step < STEPS; step++) classicLosses[step] = TrainingStep.run(model, sgd, batch(step), step);
            classic = parameters(model);
        }
        Run graphed = train(true);
        // The gradients take the same path: the weights agree bit for bit. The loss is summed in float on the
        // device instead of in double on the host.
        classic.forEach((name, values) -> assertArrayEquals(values, graphed.parameters().get(name), name));
        for (int step = 0; step < STEPS; step++) {
            assertEquals(classicLosses[step], graphed.losses()[step], 1e-5 * Math.abs(classicLosses[step]), "step " + step);
        }
    }

    /**
     * Adam's bias corrections are host scalars that change every step, so a graph would replay the first step's:
     * GraphedSteps says so, captures nothing, and its queued steps give the classic steps' weights bit for bit.
     */
    @Test
    void adamStepsAreQueuedUncapturedAndGiveTheClassicWeights() {
        int steps = 12;
        AdamSettings settings = AdamSettings.adamW(1e-3);
        Map<String, float[]> classic;
        try (CudaBackend cuda = CudaBackend.open(); Model model = Models.CNN.create(cuda, 3); Adam adam = new Adam(settings, 0)) {
            for (int step = 0; step < steps; step++) TrainingStep.run(model, adam, batch(step), step);
            classic = parameters(model);
        }
        try (CudaBackend cuda = CudaBackend.open(); Model model = Models.CNN.create(cuda, 3); Adam adam = new Adam(settings, 0);
             GraphedSteps graphed = new GraphedSteps(model, adam, 10, true, 5)) {
            for (int step = 0; step < steps; step++) graphed.step(batch(step));
            graphed.read();
            assertEquals(0, graphed.graphLaunches());
            assertTrue(graphed.fallbackReason().contains("bias corrections change every step"), graphed.fallbackReason());
            assertTrue(graphed.mode().startsWith("capture failed: Adam's bias corrections"), graphed.mode());
            classic.forEach((name, values) -> assertArrayEquals(values, parameters(model).get(name), name));
            assertEquals(steps, adam.state().get("step.fc.weight")[0]);
        }
    }

    @Test
    void aNonFiniteLossStopsTrainingAtTheNextReadWithExitFive() {
        try (CudaBackend cuda = CudaBackend.open(); Model model = Models.CNN.create(cuda, 3);
             Sgd sgd = new Sgd(new SgdSettings(1e30f, 0f, 0f)); GraphedSteps steps = new GraphedSteps(model, sgd, 10, true, 7)) {
            Trainer trainer = new Trainer(model, sgd, new Trainer.Listener() {
            }, steps);
            List<Batch> batches = new ArrayList<>();
            for (int step = 0; step < 30; step++) batches.add(batch(step));
            DivergedException diverged = assertThrows(DivergedException.class, () -> trainer.epoch(1, batches, 30, List.of(), 10));
            assertEquals(IsthmusException.EXIT_DIVERGED, diverged.exitCode());
            assertTrue(diverged.step() < 7, "found in the first window of 7 steps: " + diverged.getMessage());
            assertTrue(diverged.getMessage().contains("training diverged at step " + diverged.step()), diverged.getMessage());
        }
    }

    @Test
    void aStepThatReadsOnTheHostCannotBeCapturedAndTheBackendCarriesOn() {
        try (CudaBackend cuda = CudaBackend.open(); Tensor tensor = cuda.fromArray(Shape.of(2), new float[] {1, 2})) {
            GraphCaptureException refused = assertThrows(GraphCaptureException.class, () -> cuda.capture(tensor::toArray));
            assertTrue(refused.getMessage().contains("cudaErrorStreamCaptureUnsupported"), refused.getMessage());
            assertEquals(0, controls.activeCaptures());
            assertArrayEquals(new float[] {1, 2}, tensor.toArray(), "eager work goes on");
        }
    }

    @Test
    void closingTheBackendDestroysGraphsStillOpen() {
        long graphsBefore = controls.liveGraphs();
        long bytesBefore = controls.liveDeviceBytes();
        CudaBackend cuda = CudaBackend.open();
        Tensor tensor = cuda.zeros(Shape.of(4));
        cuda.zeros(Shape.of(4)).close(); // a pooled block for the captured allocation: capture may not cudaMalloc
        CapturedGraph graph = cuda.capture(() -> cuda.zeros(Shape.of(4)).close());
        graph.launch();
        assertEquals(1, cuda.liveGraphs());
        cuda.close();
        assertEquals(graphsBefore, controls.liveGraphs());
        assertEquals(bytesBefore, controls.liveDeviceBytes());
        tensor.close();
    }
}
