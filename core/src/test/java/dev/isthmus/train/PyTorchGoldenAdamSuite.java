package dev.isthmus.train;

import dev.isthmus.backend.Backend;
import dev.isthmus.checkpoint.HostTensor;
import dev.isthmus.checkpoint.SafeTensors;
import dev.isthmus.checkpoint.SafeTensorsFile;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Models;
import dev.isthmus.nn.Parameter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PyTorch's own Adam and AdamW ({@code torch.optim}, torch 1.13.1, {@code foreach=False}) as the referee:
 * {@code peer/pytorch/make_golden_optimizer.py} recorded four steps of each, with weight decay, non-default betas
 * and eps and a learning rate that changes every step, on three parameters of the lesson CNN, into
 * {@code src/test/resources/pytorch/adam-steps.safetensors}: the gradient of every step and the parameters,
 * {@code exp_avg} and {@code exp_avg_sq} after it. Here {@link Adam} replays the same gradients on a backend chosen
 * by the subclass and must reach PyTorch's values after every step, and PyTorch's step count.
 * <p>
 * Tolerance: every element within {@link #tolerance()} of PyTorch's value, relative to the larger of that
 * value's magnitude and the tensor's RMS. The reference kernel follows PyTorch's CPU roundings (fused multiply-adds
 * included) and must match bit for bit (tolerance 0); the CUDA route rounds in another order, a few ulps (2.8e-7
 * measured on the stand-in). A wrong formula, bias correction or weight-decay kind leaves 1e-4 or more.
 */
public abstract class PyTorchGoldenAdamSuite {
    private static final List<String> BUFFERS = List.of("param", "exp_avg", "exp_avg_sq");

    /** Where the backend's libraries come from (stand-in, real GPU); may skip the test. */
    protected void prepareLibraries() {
    }

    protected abstract Backend openBackend();

    /**
     * The largest difference allowed, relative to max(|PyTorch's value|, RMS of its tensor).
     *
     * @return the tolerance: 0, bit for bit, unless a backend rounds in another order
     */
    protected double tolerance() {
        return 0;
    }

    @BeforeEach
    void libraries() {
        prepareLibraries();
    }

    @ParameterizedTest
    @ValueSource(strings = {"adam", "adamw"})
    void everyStepMatchesPyTorch(String optimizerName) {
        SafeTensorsFile golden = SafeTensors.read(fixture());
        Map<String, HostTensor> recorded = golden.tensors();
        Map<String, String> meta = golden.metadata();
        List<String> trained = List.of(meta.get("trained").split(","));
        double[] rates = Arrays.stream(meta.get("lr").split(",")).mapToDouble(Double::parseDouble).toArray();
        double[] betas = Arrays.stream(meta.get(optimizerName + ".betas").split(",")).mapToDouble(Double::parseDouble).toArray();
        AdamSettings settings = new AdamSettings(rates[0], betas[0], betas[1], Double.parseDouble(meta.get(optimizerName + ".eps")),
                Double.parseDouble(meta.get(optimizerName + ".weight_decay")), optimizerName.equals("adamw"));
        int steps = Integer.parseInt(meta.get("steps"));
        try (Backend backend = openBackend(); Model model = Models.CNN.create(backend); Adam adam = new Adam(settings, 0)) {
            assertEquals(optimizerName, adam.name());
            model.initialize(0);
            for (String name : trained) model.stateDict().get(name).load(recorded.get("init." + name).values());
            for (int step = 1; step <= steps; step++) {
                for (String name : trained) {
                    Parameter parameter = model.stateDict().get(name);
                    parameter.setGrad(backend.fromArray(parameter.shape(), recorded.get(optimizerName + "." + step + ".grad." + name).values()));
                }
                adam.setLearningRate(rates[step - 1]);
                adam.step(model);
                Map<String, float[]> state = adam.state();
                for (String name : trained) {
                    for (String buffer : BUFFERS) {
                        HostTensor expected = recorded.get(optimizerName + "." + step + "." + buffer + "." + name);
                        assertNotNull(expected, buffer + " of " + name);
                        float[] actual = buffer.equals("param") ? model.stateDict().get(name).value().toArray() : state.get(buffer + "." + name);
                        assertClose(optimizerName + " step " + step + " " + buffer + " of " + name, expected.values(), actual, tolerance());
                    }
                    assertArrayEquals(new float[] {step}, state.get("step." + name), "PyTorch's state['step'] counts the updates");
                }
                assertEquals(3 * trained.size(), state.size(), "state only for the parameters that had a gradient");
            }
            assertEquals(Double.parseDouble(meta.get(optimizerName + ".state_step")), adam.state().get("step." + trained.getFirst())[0]);
        }
    }

    private static void assertClose(String what, float[] expected, float[] actual, double tolerance) {
        assertEquals(expected.length, actual.length, what + ": element count");
        double squares = 0;
        for (float value : expected) squares += (double) value * value;
        double rms = Math.sqrt(squares / Math.max(1, expected.length));
        double worst = 0;
        int worstAt = 0;
        for (int i = 0; i < expected.length; i++) {
            double relative = Math.abs((double) expected[i] - actual[i]) / Math.max(Math.abs(expected[i]), Math.max(rms, 1e-30));
            if (relative > worst) {
                worst = relative;
                worstAt = i;
            }
        }
        double largest = worst;
        int at = worstAt;
        assertTrue(largest <= tolerance, () -> String.format("%s: element %d is %s, PyTorch's %s: %.3g relative (allowed %.0e)",
                what, at, actual[at], expected[at], largest, tolerance));
    }

    static Path fixture() {
        URL url = PyTorchGoldenAdamSuite.class.getResource("/pytorch/adam-steps.safetensors");
        assertNotNull(url, "the Adam fixture (peer/pytorch/make_golden_optimizer.py writes it)");
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
