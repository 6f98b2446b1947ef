package dev.isthmus.backend.cuda;

import dev.isthmus.nn.Model;
import dev.isthmus.nn.Models;
import dev.isthmus.testing.standin.CudaStandIn;
import dev.isthmus.train.GraphedSteps;
import dev.isthmus.train.Sgd;
import dev.isthmus.train.SgdSettings;
import dev.isthmus.train.TrainingStep;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * resnet-bn with dropout on the CUDA backend (stand-in): steps queued without graphs, as {@code train --dropout}
 * runs them on CUDA, draw a new mask every step and train exactly as the classic step-by-step loop does.
 */
@Tag("standin")
class StandInDropoutTrainingTest {
    private static final int STEPS = 6;

    @BeforeAll
    static void useStandIn() {
        CudaStandIn.useForCudaBackend();
        CudaEnvironment.requireUsable();
    }

    private static Model resnetBn(CudaBackend cuda, double p) {
        Model model = Models.RESNET_BN.createWithClasses(cuda, 10, new Models.DropoutSetting(p, 5));
        model.initialize(3);
        return model;
    }

    private static Map<String, float[]> parameters(Model model) {
        Map<String, float[]> values = new LinkedHashMap<>();
        model.stateDict().forEach((name, parameter) -> values.put(name, parameter.value().toArray()));
        return values;
    }

    private static Map<String, float[]> classic(double p) {
        try (CudaBackend cuda = CudaBackend.open(); Model model = resnetBn(cuda, p); Sgd sgd = new Sgd(SgdSettings.lesson())) {
            for (int step = 0; step < STEPS; step++) TrainingStep.run(model, sgd, CudaConformanceSuite.randomBatch(50 + step, 8), step);
            return parameters(model);
        }
    }

    @Test
    void queuedStepsWithDropoutTrainAsTheClassicLoop() {
        Map<String, float[]> queued;
        try (CudaBackend cuda = CudaBackend.open(); Model model = resnetBn(cuda, 0.5); Sgd sgd = new Sgd(SgdSettings.lesson());
             GraphedSteps steps = new GraphedSteps(model, sgd, 10, false, 4)) {
            for (int step = 0; step < STEPS; step++) steps.step(CudaConformanceSuite.randomBatch(50 + step, 8));
            steps.read();
            queued = parameters(model);
        }
        Map<String, float[]> classic = classic(0.5);
        classic.forEach((name, values) -> assertArrayEquals(values, queued.get(name), name));
        assertFalse(Arrays.equals(classic(0).get("fc.weight"), classic.get("fc.weight")), "dropout changed the training");
    }
}
