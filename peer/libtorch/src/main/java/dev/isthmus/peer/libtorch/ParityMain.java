package dev.isthmus.peer.libtorch;

import static org.bytedeco.pytorch.global.torch.cross_entropy;
import static org.bytedeco.pytorch.global.torch.from_blob;

import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.data.Batches;
import dev.isthmus.data.Dataset;
import dev.isthmus.data.DatasetKind;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Models;
import dev.isthmus.nn.Parameter;
import dev.isthmus.train.Batch;
import dev.isthmus.train.Evaluation;
import dev.isthmus.train.Sgd;
import dev.isthmus.train.SgdSettings;
import dev.isthmus.train.TrainingStep;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;

/**
 * Trains the lesson's CNN with Isthmus's reference backend and with libtorch side by side in one process,
 * from the same initial weights (Isthmus's seeded initialisation, copied into libtorch) and on the same
 * batches in the same order, and reports how far they drift apart: per-step loss differences, the largest
 * parameter difference after each epoch (relative to that tensor's RMS), and both test accuracies plus how
 * many test images they classify alike.
 * <p>
 * Why: two runs of one framework with different seeds already differ by a few tenths of a percent in test
 * accuracy, so comparing separately seeded runs cannot show whether Isthmus trains like PyTorch. Started
 * from the same point, the only differences left are float32 rounding orders; if Isthmus computed any
 * gradient or update differently, the first steps' losses would already disagree.
 * <p>
 * Usage: {@code ParityMain --data DIR [--epochs N] [--seed N] [--threads N] [--json FILE]}
 */
public final class ParityMain {

    private static final int BATCH = 64;
    private static final int EVALUATION_BATCH = 1000;
    private static final int[] REPORTED_STEPS = {1, 2, 3, 5, 10, 20, 50, 100, 200, 500};

    private ParityMain() {
    }

    record EpochParity(int epoch, double maxLossDifference, double meanLossDifference,
                       double isthmusMeanLoss, double libtorchMeanLoss, double maxRelativeParameterDifference,
                       String worstParameter, double isthmusAccuracy, double libtorchAccuracy, int samePredictions) {
    }

    record StepParity(long step, double isthmusLoss, double libtorchLoss, double maxRelativeParameterDifference) {
    }

    public static void main(String[] args) throws IOException {
        Path data = null;
        Path json = null;
        int epochs = 1;
        long seed = 42;
        int threads = Runtime.getRuntime().availableProcessors();
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--data" -> data = Path.of(required(args[i], value));
                case "--json" -> json = Path.of(required(args[i], value));
                case "--epochs" -> epochs = Integer.parseInt(required(args[i], value));
                case "--seed" -> seed = Long.parseLong(required(args[i], value));
                case "--threads" -> threads = Integer.parseInt(required(args[i], value));
                default -> usage("unknown option '" + args[i] + "'");
            }
            i++;
        }
        if (data == null) usage("--data DIR is required (the four MNIST IDX files)");
        if (epochs < 1) usage("--epochs needs a positive number");

        LibtorchRuntime runtime;
        try {
            runtime = LibtorchRuntime.configure(threads, false);
        } catch (IllegalStateException e) { // libtorch cannot be loaded as it must be: LibtorchLibraries says why
            System.err.println("parity: " + e.getMessage());
            System.exit(1);
            return;
        }
        System.out.printf(Locale.ROOT, "libtorch %s (oneDNN off, %d threads) vs Isthmus reference backend;"
                + " lesson CNN, SGD lr 0.01 momentum 0.5, batch %d, seed %d, %d epoch(s)%n",
                runtime.libtorchVersion(), runtime.threads(), BATCH, seed, epochs);

        Dataset mnist = Dataset.load(DatasetKind.MNIST, data);
        List<EpochParity> epochResults = new ArrayList<>();
        List<StepParity> stepResults = new ArrayList<>();
        try (ReferenceBackend backend = new ReferenceBackend();
             Model isthmus = Models.CNN.create(backend, seed);
             Sgd isthmusSgd = new Sgd(SgdSettings.lesson())) {
            LessonCnn torchModel = new LessonCnn();
            Map<String, Tensor> torchParameters = torchModel.stateDict();
            copyInto(isthmus, torchParameters);
            System.out.printf(Locale.ROOT, "initial weights: Isthmus seed %d, copied into libtorch (max difference %.1e)%n",
                    seed, maxRelativeDifference(isthmus, torchParameters).value());
            SGDOptions options = new SGDOptions(0.01);
            options.momentum().put(0.5);
            SGD torchSgd = new SGD(torchModel.parameters(), options);

            Batches batches = Batches.shuffled(mnist.train(), BATCH, seed);
            long step = 0;
            for (int epoch = 1; epoch <= epochs; epoch++) {
                double maxDifference = 0, sumDifference = 0, isthmusSum = 0, torchSum = 0;
                int steps = 0;
                for (Batch batch : batches.epoch(epoch - 1)) {
                    step++;
                    float isthmusLoss = TrainingStep.run(isthmus, isthmusSgd, batch, step);
                    double torchLoss = torchStep(torchModel, torchSgd, batch);
                    double difference = Math.abs(isthmusLoss - torchLoss);
                    maxDifference = Math.max(maxDifference, difference);
                    sumDifference += difference;
                    isthmusSum += isthmusLoss;
                    torchSum += torchLoss;
                    steps++;
                    if (epoch == 1 && isReported(step)) {
                        double drift = maxRelativeDifference(isthmus, torchParameters).value();
                        stepResults.add(new StepParity(step, isthmusLoss, torchLoss, drift));
                        System.out.printf(Locale.ROOT, "  step %4d: loss Isthmus %.7f  libtorch %.7f  |diff| %.1e;"
                                + " parameters max |diff|/RMS %.1e%n", step, isthmusLoss, torchLoss, difference, drift);
                    }
                }
                Difference drift = maxRelativeDifference(isthmus, torchParameters);
                int[] isthmusPredictions = isthmusPredictions(isthmus, mnist);
                int[] torchPredictions = torchPredictions(torchModel, mnist);
                int isthmusCorrect = 0, torchCorrect = 0, same = 0;
                for (int i = 0; i < isthmusPredictions.length; i++) {
                    int label = mnist.test().label(i);
                    if (isthmusPredictions[i] == label) isthmusCorrect++;
                    if (torchPredictions[i] == label) torchCorrect++;
                    if (isthmusPredictions[i] == torchPredictions[i]) same++;
                }
                int tests = isthmusPredictions.length;
                EpochParity result = new EpochParity(epoch, maxDifference, sumDifference / steps, isthmusSum / steps,
                        torchSum / steps, drift.value(), drift.parameter(), (double) isthmusCorrect / tests,
                        (double) torchCorrect / tests, same);
                epochResults.add(result);
                System.out.printf(Locale.ROOT, "epoch %2d: mean loss Isthmus %.6f libtorch %.6f; per-step |loss diff|"
                                + " max %.1e mean %.1e; parameters max |diff|/RMS %.1e (%s); test accuracy Isthmus %.2f%%"
                                + " libtorch %.2f%%; same prediction on %d of %d test images%n",
                        epoch, result.isthmusMeanLoss(), result.libtorchMeanLoss(), maxDifference, sumDifference / steps,
                        drift.value(), drift.parameter(), 100 * result.isthmusAccuracy(), 100 * result.libtorchAccuracy(),
                        same, tests);
            }
        }
        if (json != null) {
            Files.writeString(json, toJson(runtime, seed, epochResults, stepResults));
            System.out.println("results written to " + json);
        }
    }

    private static String required(String option, String value) {
        if (value == null) usage(option + " needs a value");
        return value;
    }

    private static void usage(String problem) {
        System.err.println("parity: " + problem);
        System.err.println("usage: ParityMain --data DIR [--epochs N] [--seed N] [--threads N] [--json FILE]");
        System.exit(2);
    }

    private static boolean isReported(long step) {
        for (int reported : REPORTED_STEPS) if (reported == step) return true;
        return false;
    }

    /** libtorch's half of a step, as the lesson's loop does it; returns the batch's mean loss. */
    private static double torchStep(LessonCnn model, SGD optimizer, Batch batch) {
        try (PointerScope scope = new PointerScope()) {
            Tensor images = floatTensor(batch.images(), batch.shape().dims());
            long[] labelValues = new long[batch.size()];
            for (int i = 0; i < labelValues.length; i++) labelValues[i] = batch.labels()[i];
            Tensor labels = longTensor(labelValues);
            optimizer.zero_grad();
            Tensor loss = cross_entropy(model.forward(images), labels);
            loss.backward();
            optimizer.step();
            return loss.item_double();
        }
    }

    private static void copyInto(Model isthmus, Map<String, Tensor> torchParameters) {
        try (NoGradGuard noGrad = new NoGradGuard(); PointerScope scope = new PointerScope()) {
            for (Map.Entry<String, Parameter> entry : isthmus.stateDict().entrySet()) {
                Tensor target = torchParameters.get(entry.getKey());
                if (target == null) throw new IllegalStateException("libtorch model has no parameter " + entry.getKey());
                Parameter parameter = entry.getValue();
                target.copy_(floatTensor(parameter.value().toArray(), parameter.shape().dims()));
            }
        }
    }

    record Difference(double value, String parameter) {
    }

    /** Largest |Isthmus − libtorch| over each parameter tensor, divided by that tensor's RMS (Isthmus side). */
    private static Difference maxRelativeDifference(Model isthmus, Map<String, Tensor> torchParameters) {
        double worst = 0;
        String worstName = "";
        for (Map.Entry<String, Parameter> entry : isthmus.stateDict().entrySet()) {
            float[] ours = entry.getValue().value().toArray();
            float[] theirs = values(torchParameters.get(entry.getKey()));
            double squares = 0, maxDifference = 0;
            for (int i = 0; i < ours.length; i++) {
                squares += (double) ours[i] * ours[i];
                maxDifference = Math.max(maxDifference, Math.abs((double) ours[i] - theirs[i]));
            }
            double relative = maxDifference / Math.max(Math.sqrt(squares / ours.length), 1e-30);
            if (relative >= worst) {
                worst = relative;
                worstName = entry.getKey();
            }
        }
        return new Difference(worst, worstName);
    }

    private static float[] values(Tensor tensor) {
        try (PointerScope scope = new PointerScope()) {
            Tensor contiguous = tensor.detach().contiguous();
            float[] values = new float[(int) contiguous.numel()];
            contiguous.data_ptr_float().get(values);
            return values;
        }
    }

    private static int[] isthmusPredictions(Model model, Dataset mnist) {
        int[] predictions = new int[mnist.test().size()];
        int offset = 0;
        for (Batch batch : Batches.inOrder(mnist.test(), EVALUATION_BATCH).epoch(0)) {
            int[] batchPredictions = TrainingStep.predict(model, batch);
            System.arraycopy(batchPredictions, 0, predictions, offset, batchPredictions.length);
            offset += batchPredictions.length;
        }
        return predictions;
    }

    private static int[] torchPredictions(LessonCnn model, Dataset mnist) {
        int[] predictions = new int[mnist.test().size()];
        int offset = 0;
        try (NoGradGuard noGrad = new NoGradGuard()) {
            for (Batch batch : Batches.inOrder(mnist.test(), EVALUATION_BATCH).epoch(0)) {
                try (PointerScope scope = new PointerScope()) {
                    Tensor logits = model.forward(floatTensor(batch.images(), batch.shape().dims()));
                    Tensor predicted = logits.argmax(new LongOptional(1), false).contiguous();
                    long[] values = new long[batch.size()];
                    predicted.data_ptr_long().get(values);
                    for (long value : values) predictions[offset++] = (int) value;
                }
            }
        }
        return predictions;
    }

    private static Tensor floatTensor(float[] values, int[] dims) {
        long[] shape = new long[dims.length];
        for (int i = 0; i < dims.length; i++) shape[i] = dims[i];
        // from_blob borrows the buffer; clone() gives a tensor owning its memory.
        try (FloatPointer buffer = new FloatPointer(values)) {
            return from_blob(buffer, shape, new TensorOptions(ScalarType.Float)).clone();
        }
    }

    private static Tensor longTensor(long[] values) {
        try (LongPointer buffer = new LongPointer(values)) {
            return from_blob(buffer, new long[] {values.length}, new TensorOptions(ScalarType.Long)).clone();
        }
    }

    private static String toJson(LibtorchRuntime runtime, long seed, List<EpochParity> epochs, List<StepParity> steps) {
        StringBuilder json = new StringBuilder();
        json.append(String.format(Locale.ROOT, "{%n  \"libtorch_version\": \"%s\",%n  \"threads\": %d,%n  \"seed\": %d,%n"
                + "  \"batch_size\": %d,%n  \"steps\": [", runtime.libtorchVersion(), runtime.threads(), seed, BATCH));
        for (int i = 0; i < steps.size(); i++) {
            StepParity s = steps.get(i);
            json.append(String.format(Locale.ROOT, "%s%n    {\"step\": %d, \"isthmus_loss\": %.8f, \"libtorch_loss\": %.8f,"
                    + " \"max_relative_parameter_difference\": %.3e}", i == 0 ? "" : ",", s.step(), s.isthmusLoss(),
                    s.libtorchLoss(), s.maxRelativeParameterDifference()));
        }
        json.append(String.format(Locale.ROOT, "%n  ],%n  \"epochs\": ["));
        for (int i = 0; i < epochs.size(); i++) {
            EpochParity e = epochs.get(i);
            json.append(String.format(Locale.ROOT, "%s%n    {\"epoch\": %d, \"isthmus_mean_loss\": %.6f, \"libtorch_mean_loss\": %.6f,"
                            + " \"max_step_loss_difference\": %.3e, \"mean_step_loss_difference\": %.3e,"
                            + " \"max_relative_parameter_difference\": %.3e, \"worst_parameter\": \"%s\","
                            + " \"isthmus_test_accuracy\": %.4f, \"libtorch_test_accuracy\": %.4f, \"same_predictions\": %d}",
                    i == 0 ? "" : ",", e.epoch(), e.isthmusMeanLoss(), e.libtorchMeanLoss(), e.maxLossDifference(),
                    e.meanLossDifference(), e.maxRelativeParameterDifference(), e.worstParameter(), e.isthmusAccuracy(),
                    e.libtorchAccuracy(), e.samePredictions()));
        }
        json.append(String.format(Locale.ROOT, "%n  ]%n}%n"));
        return json.toString();
    }
}
