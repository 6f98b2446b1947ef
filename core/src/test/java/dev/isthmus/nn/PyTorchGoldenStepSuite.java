package dev.isthmus.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.CrossEntropy;
import dev.isthmus.checkpoint.HostTensor;
import dev.isthmus.checkpoint.SafeTensors;
import dev.isthmus.checkpoint.SafeTensorsFile;
import dev.isthmus.compare.TensorDiff;
import dev.isthmus.tensor.Tensor;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The lesson's three networks and resnet-bn against PyTorch itself: logits, loss and every parameter
 * gradient of one batch in training mode, and every buffer after it (BatchNorm's running statistics and
 * batch count), from PyTorch's own initial weights, recorded by {@code peer/pytorch/make_golden_step.py} with
 * torch 1.13.1 into {@code src/test/resources/pytorch/<model>-step.safetensors}. Replayed here on a
 * backend chosen by the subclass, so CI checks the wiring of every block (branch order of the Inception
 * concatenation, the residual sums, paddings, average pooling with padding) and the gradients against
 * PyTorch without needing torch.
 * <p>
 * Tolerances: the largest absolute difference, divided by the RMS of PyTorch's tensor, at most
 * {@value #LOGITS_TOLERANCE} for logits and {@value #GRADIENT_TOLERANCE} for gradients (float32 sums in
 * another order leave about 1e-6 to 6e-5; a wiring mistake gives differences of the order of 1); the
 * loss within {@value #LOSS_TOLERANCE}.
 */
public abstract class PyTorchGoldenStepSuite {
    static final double LOGITS_TOLERANCE = 1e-4;
    static final double GRADIENT_TOLERANCE = 5e-4;
    static final double LOSS_TOLERANCE = 1e-5;

    /** Where the backend's libraries come from (stand-in, real GPU); may skip the test. */
    protected void prepareLibraries() {
    }

    protected abstract Backend openBackend();

    @BeforeEach
    void libraries() {
        prepareLibraries();
    }

    @ParameterizedTest
    @EnumSource(Models.class)
    void logitsLossAndGradientsMatchPyTorch(Models architecture) {
        SafeTensorsFile golden = SafeTensors.read(fixture(architecture));
        Map<String, HostTensor> recorded = golden.tensors();
        assertEquals(architecture.id(), golden.metadata().get("model"));
        try (Backend backend = openBackend(); Model model = architecture.create(backend); StepScope scope = new StepScope()) {
            model.stateDict().forEach((name, parameter) -> {
                HostTensor initial = recorded.get("init." + name);
                assertNotNull(initial, () -> "PyTorch's state dict has no " + name);
                assertEquals(parameter.shape(), initial.shape(), name);
                parameter.load(initial.values());
            });
            assertEquals(recorded.keySet().stream().filter(k -> k.startsWith("init.")).count(), model.stateDict().size(),
                    "as many parameters as PyTorch's network");

            HostTensor input = recorded.get("input");
            Tensor images = scope.track(backend.fromArray(input.shape(), input.values()));
            Tensor logits = model.forward(images, scope);
            assertClose(architecture + " logits", recorded.get("logits").values(), logits.toArray(), LOGITS_TOLERANCE);

            float[] labelValues = recorded.get("labels").values();
            int[] labels = new int[labelValues.length];
            for (int i = 0; i < labels.length; i++) labels[i] = (int) labelValues[i];
            CrossEntropy loss = backend.softmaxCrossEntropy(logits, labels);
            scope.track(loss.gradLogits());
            assertEquals(Double.parseDouble(golden.metadata().get("loss")), loss.loss(), LOSS_TOLERANCE, architecture + " loss");

            model.backward(loss.gradLogits(), scope);
            model.stateDict().forEach((name, parameter) -> assertClose(architecture + " gradient of " + name,
                    recorded.get("grad." + name).values(), parameter.grad().toArray(), GRADIENT_TOLERANCE));
            model.buffers().forEach((name, buffer) -> {
                HostTensor after = recorded.get("after." + name);
                assertNotNull(after, () -> "PyTorch's network has no buffer " + name);
                assertClose(architecture + " " + name + " after the step", after.values(), buffer.value().toArray(), GRADIENT_TOLERANCE);
            });
            assertEquals(recorded.keySet().stream().filter(k -> k.startsWith("after.")).count(), model.buffers().size(),
                    "as many buffers as PyTorch's network");
        }
    }

    private static void assertClose(String what, float[] expected, float[] actual, double tolerance) {
        assertEquals(expected.length, actual.length, what + ": element count");
        double largest = 0;
        for (int i = 0; i < expected.length; i++) largest = Math.max(largest, Math.abs((double) expected[i] - actual[i]));
        double worst = largest;
        double rms = TensorDiff.rms(expected);
        double relative = worst / Math.max(rms, 1e-30);
        assertTrue(relative <= tolerance, () -> String.format("%s: largest difference %.3g is %.3g of PyTorch's RMS %.3g (allowed %.0e)",
                what, worst, relative, rms, tolerance));
    }

    static Path fixture(Models architecture) {
        URL url = PyTorchGoldenStepSuite.class.getResource("/pytorch/" + architecture.id() + "-step.safetensors");
        assertNotNull(url, "fixture for " + architecture.id() + " (peer/pytorch/make_golden_step.py writes it)");
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
