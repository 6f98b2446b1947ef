package dev.isthmus.peer.libtorch;

import static org.bytedeco.pytorch.global.torch.cross_entropy;
import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randperm;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;

/**
 * Trains the PyTorch lesson's CNN on MNIST with libtorch's CPU build, the way the lesson's training loop
 * does (zero_grad, forward, cross-entropy, backward, SGD step), and reports the epoch time (training only),
 * images per second, test accuracy and peak RSS. The peer that Isthmus's reference backend is timed against.
 */
public final class PeerMain {

    private static final int LOG_EVERY_BATCHES = 100;
    private static final int EVALUATION_BATCH = 1000;
    private static final int EXIT_BAD_INPUT = 2;
    private static final int EXIT_DIVERGED = 5;

    private PeerMain() {
    }

    public static void main(String[] args) {
        PeerOptions options;
        try {
            options = PeerOptions.parse(args);
        } catch (PeerOptions.UsageException e) {
            if (e.getMessage() != null) {
                System.err.println("peer: " + e.getMessage());
            }
            System.err.println(PeerOptions.USAGE);
            System.exit(e.getMessage() == null ? 0 : EXIT_BAD_INPUT);
            return;
        }
        try {
            System.exit(run(options));
        } catch (IOException e) {
            System.err.println("peer: " + e.getMessage());
            System.exit(EXIT_BAD_INPUT);
        } catch (IllegalStateException e) { // libtorch cannot be loaded as it must be: LibtorchLibraries says why
            System.err.println("peer: " + e.getMessage());
            System.exit(1);
        }
    }

    private static int run(PeerOptions options) throws IOException {
        MnistSplit trainSplit = MnistSplit.load(options.data(), "train");
        MnistSplit testSplit = MnistSplit.load(options.data(), "t10k");

        LibtorchRuntime runtime = LibtorchRuntime.configure(options.threads(), options.oneDnn());
        System.out.printf(Locale.ROOT, "libtorch %s (JavaCPP %s, CPU build), intra-op threads: %d (cores: %d)%n",
                runtime.libtorchVersion(), runtime.javacppVersion(), runtime.threads(),
                Runtime.getRuntime().availableProcessors());
        System.out.println(runtime.oneDnnEnabled()
                ? "oneDNN (mkldnn): ENABLED by --onednn; on Zen 5 CPUs its convolution backward gives NaN losses"
                : "oneDNN (mkldnn): disabled (available in this build: " + runtime.oneDnnAvailable() + "). Why: "
                  + LibtorchRuntime.ONEDNN_NOTE);

        MnistTensors train = MnistTensors.of(trainSplit);
        MnistTensors test = MnistTensors.of(testSplit);
        manual_seed(options.seed());
        LessonCnn model = new LessonCnn();
        SGDOptions sgdOptions = new SGDOptions(options.learningRate());
        sgdOptions.momentum().put(options.momentum());
        SGD optimizer = new SGD(model.parameters(), sgdOptions);
        System.out.printf(Locale.ROOT, "model: the lesson's CNN; SGD lr %s momentum %s; batch %d; %d training and"
                        + " %d test images%n", options.learningRate(), options.momentum(), options.batchSize(),
                train.count(), test.count());

        List<EpochResult> epochs = new ArrayList<>();
        for (int epoch = 1; epoch <= options.epochs(); epoch++) {
            EpochResult result = trainEpoch(epoch, model, optimizer, train, options.batchSize());
            if (!Double.isFinite(result.meanTrainLoss())) {
                System.err.println("peer: libtorch produced a non-finite training loss in epoch " + epoch + (
                        runtime.oneDnnEnabled()
                                ? "; this is the known oneDNN convolution-backward fault on Zen 5 CPUs: run without --onednn."
                                : "; training diverged: try a smaller --lr."));
                return EXIT_DIVERGED;
            }
            // Evaluated after the timed loop, like `isthmus train`, so every epoch has a test accuracy.
            result = result.withTestAccuracy(evaluate(model, test));
            epochs.add(result);
            System.out.printf(Locale.ROOT, "epoch %d: %.2f s training, %.1f images/s, mean loss %.4f, test accuracy %.2f%%%n",
                    epoch, result.seconds(), result.imagesPerSecond(), result.meanTrainLoss(), 100 * result.testAccuracy());
        }
        double accuracy = epochs.getLast().testAccuracy();
        OptionalLong peakRss = ProcessMemory.peakResidentBytes();

        PeerResult result = new PeerResult(runtime, options, train.count(), test.count(), epochs, accuracy, peakRss);
        EpochResult last = result.lastEpoch();
        System.out.printf(Locale.ROOT,
                "RESULT libtorch: epoch %.2f s, %.1f images/s, test accuracy %.2f%%, peak RSS %s, threads %d%n",
                last.seconds(), last.imagesPerSecond(), 100 * accuracy,
                peakRss.isPresent() ? String.format(Locale.ROOT, "%.0f MiB", peakRss.getAsLong() / 1048576.0) : "n/a",
                runtime.threads());
        if (options.json().isPresent()) {
            Files.writeString(options.json().get(), result.toJson());
            System.out.println("results written to " + options.json().get());
        }
        return 0;
    }

    /** One pass over the shuffled training set; only this loop is timed. */
    private static EpochResult trainEpoch(int epoch, LessonCnn model, SGD optimizer, MnistTensors train,
                                          int batchSize) {
        model.train(true);
        double lossSum = 0;
        int batches = 0;
        long start = System.nanoTime();
        try (PointerScope epochScope = new PointerScope()) {
            Tensor order = randperm(train.count());
            for (int first = 0; first < train.count(); first += batchSize) {
                int size = Math.min(batchSize, train.count() - first);
                // Frees this step's tensors (batch, activations, loss) when the step ends.
                try (PointerScope stepScope = new PointerScope()) {
                    Tensor indices = order.narrow(0, first, size);
                    Tensor images = train.images().index_select(0, indices);
                    Tensor labels = train.labels().index_select(0, indices);
                    optimizer.zero_grad();
                    Tensor loss = cross_entropy(model.forward(images), labels);
                    loss.backward();
                    optimizer.step();
                    double value = loss.item_double();
                    lossSum += value;
                    batches++;
                    if (!Double.isFinite(value)) {
                        System.err.printf(Locale.ROOT, "epoch %d batch %d: loss is %s%n", epoch, batches, value);
                        return new EpochResult(epoch, seconds(start), Double.NaN, value, Double.NaN);
                    }
                    if (batches % LOG_EVERY_BATCHES == 0) {
                        System.out.printf(Locale.ROOT, "  epoch %d [%d/%d] loss %.4f%n", epoch, first + size,
                                train.count(), value);
                    }
                }
            }
        }
        double seconds = seconds(start);
        return new EpochResult(epoch, seconds, train.count() / seconds, lossSum / batches, Double.NaN);
    }

    /** Fraction of test images whose highest-scoring class is the label. */
    private static double evaluate(LessonCnn model, MnistTensors test) {
        model.eval();
        long correct = 0;
        try (NoGradGuard noGrad = new NoGradGuard()) {
            for (int first = 0; first < test.count(); first += EVALUATION_BATCH) {
                int size = Math.min(EVALUATION_BATCH, test.count() - first);
                try (PointerScope scope = new PointerScope()) {
                    Tensor images = test.images().narrow(0, first, size);
                    Tensor labels = test.labels().narrow(0, first, size);
                    Tensor predicted = model.forward(images).argmax(new LongOptional(1), false);
                    correct += predicted.eq(labels).sum().item_long();
                }
            }
        }
        return (double) correct / test.count();
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
