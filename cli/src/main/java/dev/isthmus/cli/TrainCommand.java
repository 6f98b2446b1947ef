package dev.isthmus.cli;

import dev.isthmus.IsthmusException;
import dev.isthmus.backend.Backend;
import dev.isthmus.data.Batches;
import dev.isthmus.data.Split;
import dev.isthmus.image.ImagePreparation;
import dev.isthmus.infer.InputSpec;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Models;
import dev.isthmus.train.EpochMetrics;
import dev.isthmus.train.LearningRateSchedule;
import dev.isthmus.train.ModelCheckpoint;
import dev.isthmus.train.Adam;
import dev.isthmus.train.AdamSettings;
import dev.isthmus.train.Optimizer;
import dev.isthmus.train.Sgd;
import dev.isthmus.train.SgdSettings;
import dev.isthmus.train.GraphedSteps;
import dev.isthmus.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code isthmus train}: the lesson's training loop with checkpoints, metrics and curves. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a model on MNIST, Fashion-MNIST or an image folder (--data DIR of root/<class>/*.png),"
                + " evaluating on the test set (or the validation images) after every epoch.",
                "Writes <out>/model.safetensors (PyTorch state_dict names) and <out>/model.optimizer.safetensors (the optimizer's"
                        + " state: optimizer.momentum.<param> for sgd; optimizer.exp_avg.<param>, optimizer.exp_avg_sq.<param> and"
                        + " optimizer.step.<param> for adam and adamw) after every epoch, atomically, plus metrics.csv, metrics.json and curves.png."})
public final class TrainCommand implements Callable<Integer> {

    @Option(names = "--model", defaultValue = "cnn", completionCandidates = ModelIds.class,
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--epochs", defaultValue = "10", description = "Epochs to train (default: ${DEFAULT-VALUE}, as in the lesson).")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "64", description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--optimizer", defaultValue = "sgd", paramLabel = "sgd|adam|adamw",
            description = "torch.optim.SGD (with momentum), Adam or AdamW, with PyTorch's update formulas (default: ${DEFAULT-VALUE}, as in the lesson).")
    String optimizerName;

    @Option(names = "--lr", paramLabel = "RATE",
            description = "Learning rate (default: 0.01 for sgd, as in the lesson; 0.001 for adam and adamw, PyTorch's).")
    Float learningRate;

    @Option(names = "--momentum", defaultValue = "0.5", description = "SGD momentum (default: ${DEFAULT-VALUE}; sgd only).")
    float momentum;

    @Option(names = "--weight-decay", paramLabel = "WD",
            description = "Weight decay with PyTorch's meaning: an L2 term in the gradient for sgd and adam, a decoupled decay of the"
                    + " weights (lr·WD per step) for adamw (default: 0; 0.01 for adamw, PyTorch's).")
    Double weightDecay;

    @Option(names = "--betas", paramLabel = "BETA1,BETA2",
            description = "Adam/AdamW decay rates of the gradient's running average and of its square (default: 0.9,0.999, PyTorch's).")
    String betas;

    @Option(names = "--eps", paramLabel = "EPS", description = "Adam/AdamW term added to the denominator (default: 1e-8, PyTorch's).")
    Double eps;

    @Option(names = "--nesterov", description = "Nesterov momentum (PyTorch's SGD nesterov=True); needs --momentum above 0.")
    boolean nesterov;

    @Option(names = "--clip-grad-norm", defaultValue = "0", paramLabel = "MAX",
            description = "Scale the gradients down when their global 2-norm exceeds MAX (torch.nn.utils.clip_grad_norm_); 0: off"
                    + " (default: ${DEFAULT-VALUE}).")
    double clipGradNorm;

    @Option(names = "--lr-schedule", defaultValue = "constant", paramLabel = "KIND",
            description = "Learning rate per epoch: constant, step (divided by 10 every --lr-step-epochs) or cosine (annealed to 0)"
                    + " (default: ${DEFAULT-VALUE}, as in the lesson).")
    String lrSchedule;

    @Option(names = "--warmup-epochs", defaultValue = "0", paramLabel = "N",
            description = "Epochs of linear warm-up (lr·epoch/N) before the schedule; fewer than --epochs (default: ${DEFAULT-VALUE}).")
    int warmupEpochs;

    @Option(names = "--lr-step-epochs", defaultValue = "5", paramLabel = "N",
            description = "For --lr-schedule step: epochs between two decays (default: ${DEFAULT-VALUE}).")
    int lrStepEpochs;

    @Option(names = "--seed", defaultValue = "42", description = "Seed for initialisation and shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: runs/<model>).")
    Path out;

    @Option(names = "--resume", paramLabel = "FILE", description = "Continue from a checkpoint written by train (model.safetensors).")
    Path resume;

    @Option(names = "--init", paramLabel = "FILE", description = "Start a new run from the weights in FILE, a safetensors state dict"
            + " with PyTorch names (from train, or PyTorch's safetensors.torch.save_file(model.state_dict(), FILE)),"
            + " instead of a seeded random initialisation; momentum starts from zero at epoch 1.")
    Path init;

    @Option(names = "--limit-train", paramLabel = "N", description = "Use only the first N training images (quick runs).")
    Integer limitTrain;

    @Option(names = "--limit-test", paramLabel = "N", description = "Use only the first N test images (quick runs).")
    Integer limitTest;

    @Option(names = "--cuda-graphs", defaultValue = "on", paramLabel = "on|off",
            description = "With --backend cuda: capture each training step as a CUDA graph and relaunch it (on), or queue"
                    + " its ops one by one (off); either way the loss is read every " + GraphedSteps.DEFAULT_READ_EVERY
                    + " steps, not after each. If capture fails, says why once and runs without (default: ${DEFAULT-VALUE}).")
    String cudaGraphs;

    @Option(names = "--no-progress", description = "No progress bar (one summary line per epoch only).")
    boolean noProgress;

    @Option(names = "--preparation", defaultValue = "resize", paramLabel = "STYLE",
            description = "For an image folder: how images of another size become the model's input: resize, or mnist-digit"
                    + " (fitted into 20x20 and centred by centre of mass, as MNIST's digits were) (default: ${DEFAULT-VALUE}).")
    String preparation;

    @Mixin
    DropoutOption dropout;

    @Mixin
    DataOptions data;

    @Mixin
    ValidationOptions validation;

    @Mixin
    BackendOptions backendOptions;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        validate();
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Models architecture = Models.byId(model);
        LearningRateSchedule schedule = schedule();
        Path outDir = out != null ? out
                : resume != null ? resume.toAbsolutePath().getParent() : Path.of("runs", architecture.id());

        createOutputFolder(outDir);
        // The backend first: a CUDA problem is told before a missing data set is fetched (minutes, or a network error).
        try (Backend backend = backendOptions.open(err);
             Optimizer optimizer = optimizer()) {
            InputSpec input = TrainingData.trainingInput(data, ImagePreparation.Style.byId(preparation));
            try (Model net = architecture.createWithClasses(backend, input.classes(), dropout.setting(seed))) {
                return train(stdout, err, architecture, net, optimizer, schedule, input, outDir);
            }
        }
    }

    private int train(PrintWriter stdout, PrintWriter err, Models architecture, Model net, Optimizer optimizer, LearningRateSchedule schedule,
                      InputSpec input, Path outDir) {
        Backend backend = net.backend();
        TrainingData dataset = TrainingData.forTraining(data, validation, input, net.sampleShape(), seed, err);
        if (limitTrain != null || limitTest != null) {
            dataset = new TrainingData(dataset.description(), input, dataset.train().first(limitTrain != null ? limitTrain : dataset.train().size()),
                    dataset.test().first(limitTest != null ? limitTest : dataset.test().size()));
        }
        requireImageSize(dataset.test(), dataset.description(), net);
        int firstEpoch = 1;
        long step = 0;
        List<EpochMetrics> history = new ArrayList<>();
        if (resume != null) {
            ModelCheckpoint.Restored restored = ModelCheckpoint.resume(resume, net, optimizer);
            dropout.requireSameAs(resume);
            if (!restored.optimizerStateRestored()) err.println("note: the checkpoint has no optimizer state; it starts afresh");
            firstEpoch = restored.epochsDone() + 1;
            if (firstEpoch > epochs) { // --epochs is the total: there would be nothing to train
                throw new IllegalArgumentException("--epochs " + epochs + " is not more than the " + restored.epochsDone()
                        + " epochs " + resume + " already holds; pass --epochs " + firstEpoch + " or more to continue training");
            }
            step = restored.step();
            history.addAll(MetricsFiles.readIfPresent(outDir.resolve(MetricsFiles.JSON), restored.epochsDone()));
            stdout.printf(Locale.ROOT, "resumed %s from %s after epoch %d (step %d)%n", architecture.id(), resume, restored.epochsDone(), step);
        } else if (init != null) {
            ModelCheckpoint.loadWeights(init, net);
            stdout.printf(Locale.ROOT, "starting %s from the weights in %s%n", architecture.id(), init);
        } else {
            net.initialize(seed);
        }
        stdout.printf(Locale.ROOT, "model %s (%,d parameters) on %s; %s: %d train / %d test images; batch %d, %s%n",
                architecture.id(), net.parameterCount(), backend.name(), dataset.description(),
                dataset.train().size(), dataset.test().size(), batchSize, describe(optimizer));

        Batches trainBatches = Batches.shuffled(dataset.train(), batchSize, seed);
        Batches testBatches = Batches.inOrder(dataset.test(), Math.max(batchSize, 1000));
        ProgressReporter progress = new ProgressReporter(stdout, err, !noProgress);
        boolean capture = cudaGraphs.equals("on") && dropout.p == 0;
        if (GraphedSteps.supported(backend) && cudaGraphs.equals("on") && !capture) {
            // A captured graph would replay the mask it was captured with: each step's mask is drawn on the host.
            err.println("note: --dropout draws a new mask on the host every step, which a CUDA graph cannot replay; steps are queued one by one");
        }
        GraphedSteps graphed = GraphedSteps.supported(backend)
                ? new GraphedSteps(net, optimizer, input.classes(), capture, GraphedSteps.DEFAULT_READ_EVERY) : null;
        Trainer trainer = new Trainer(net, optimizer, progress, graphed);
        trainer.setGlobalStep(step);
        try (StopOnSignal stop = StopOnSignal.install(trainer, err); GraphedSteps ownedSteps = graphed) {
            for (int epoch = firstEpoch; epoch <= epochs; epoch++) {
                optimizer.setLearningRate(typed(schedule.at(epoch)));
                EpochMetrics metrics = trainer.epoch(epoch, trainBatches.epoch(epoch - 1), trainBatches.batchCount(),
                        testBatches.epoch(0), input.classes());
                if (metrics == null) break;
                history.add(metrics);
                ModelCheckpoint.save(outDir.resolve(ModelCheckpoint.MODEL_FILE), net, optimizer,
                        new ModelCheckpoint.Progress(epoch, trainer.globalStep(), seed, batchSize), dropout.withMetadata(input.toMetadata()));
                MetricsFiles.write(outDir, history);
            }
            if (trainer.stopRequested()) {
                err.println("isthmus: interrupted; the last completed epoch's checkpoint in " + outDir + " is intact (continue with --resume "
                        + outDir.resolve(ModelCheckpoint.MODEL_FILE) + ")");
                return stop.exitCode();
            }
        }
        if (!history.isEmpty()) {
            boolean charted = OptionalChart.write(outDir.resolve("curves.png"),
                    png -> TrainingCharts.write(png, architecture.id(), history), err);
            stdout.println("wrote " + outDir.resolve(ModelCheckpoint.MODEL_FILE) + ", metrics.csv, metrics.json"
                    + (charted ? ", curves.png" : ""));
        }
        return 0;
    }

    private static void createOutputFolder(Path folder) {
        try {
            java.nio.file.Files.createDirectories(folder);
        } catch (java.io.IOException e) {
            throw new IsthmusException(IsthmusException.EXIT_BAD_INPUT, "cannot create the output folder " + folder + " ("
                    + dev.isthmus.data.IoProblems.describe(e) + "); choose another with --out");
        }
    }

    /** Images of another size would only fail deep inside the network, naming a layer instead of the data. */
    static void requireImageSize(Split images, String description, Model net) {
        dev.isthmus.tensor.Shape sample = images.sampleShape();
        if (!sample.equals(net.sampleShape())) {
            throw new IllegalArgumentException("the images in --data are " + sample.dim(1) + "x" + sample.dim(2) + " pixels but model '" + net.name()
                    + "' takes " + net.sampleShape().dim(1) + "x" + net.sampleShape().dim(2) + "; pass --data with " + description + " files of that size");
        }
    }

    private LearningRateSchedule schedule() {
        return new LearningRateSchedule(LearningRateSchedule.Kind.byId(lrSchedule), learningRate(), epochs, warmupEpochs, lrStepEpochs);
    }

    private boolean adam() {
        return !optimizerName.equals("sgd");
    }

    private float learningRate() {
        return learningRate != null ? learningRate : adam() ? (float) AdamSettings.DEFAULT_LEARNING_RATE : SgdSettings.lesson().learningRate();
    }

    private double weightDecay() {
        return weightDecay != null ? weightDecay : optimizerName.equals("adamw") ? AdamSettings.ADAMW_DEFAULT_WEIGHT_DECAY : 0;
    }

    /** The double a user who typed this rate in Python gets (0.001, not 0.001f's 0.0010000000474974513): Adam keeps doubles. */
    private static double typed(float rate) {
        return Double.parseDouble(Float.toString(rate));
    }

    /** The optimizer the options describe; options already validated. */
    private Optimizer optimizer() {
        if (!adam()) return new Sgd(new SgdSettings(learningRate(), momentum, (float) weightDecay(), nesterov), clipGradNorm);
        double[] given = betas();
        double beta1 = given != null ? given[0] : AdamSettings.DEFAULT_BETA1, beta2 = given != null ? given[1] : AdamSettings.DEFAULT_BETA2;
        return new Adam(new AdamSettings(typed(learningRate()), beta1, beta2, eps != null ? eps : AdamSettings.DEFAULT_EPS, weightDecay(),
                optimizerName.equals("adamw")), clipGradNorm);
    }

    /** --betas as two numbers, or null when not given. */
    private double[] betas() {
        if (betas == null) return null;
        String[] parts = betas.split(",", -1);
        try {
            if (parts.length == 2) return new double[] {Double.parseDouble(parts[0].strip()), Double.parseDouble(parts[1].strip())};
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new IllegalArgumentException("--betas takes two numbers, BETA1,BETA2 (e.g. 0.9,0.999), got '" + betas + "'");
    }

    private static String describe(Optimizer optimizer) {
        StringBuilder text = new StringBuilder(optimizer.name());
        optimizer.metadata().forEach((key, value) -> text.append(", ").append(key).append(' ').append(value));
        return text.toString();
    }

    /** --optimizer and the options that belong to one optimizer only. */
    private void validateOptimizer() {
        if (!List.of("sgd", "adam", "adamw").contains(optimizerName)) {
            throw new IllegalArgumentException("--optimizer must be sgd, adam or adamw, got '" + optimizerName + "'");
        }
        var parsed = spec.commandLine().getParseResult();
        if (adam()) {
            for (String sgdOnly : List.of("--momentum", "--nesterov")) {
                if (parsed.hasMatchedOption(sgdOnly)) {
                    throw new IllegalArgumentException(sgdOnly + " applies to --optimizer sgd only; " + optimizerName
                            + " has --betas and --eps instead");
                }
            }
        } else {
            for (String adamOnly : List.of("--betas", "--eps")) {
                if (parsed.hasMatchedOption(adamOnly)) {
                    throw new IllegalArgumentException(adamOnly + " applies to --optimizer adam or adamw only; pass --optimizer adam");
                }
            }
        }
        double[] given = betas();
        if (given != null) {
            for (double beta : given) {
                if (!(beta >= 0 && beta < 1)) throw new IllegalArgumentException("--betas must be at least 0 and below 1, got " + beta);
            }
        }
        if (eps != null && (!(eps > 0) || Double.isInfinite(eps))) throw new IllegalArgumentException("--eps must be a positive number, got " + eps);
    }

    private void validate() {
        if (epochs <= 0) throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
        validateOptimizer();
        // Checked here too (SgdSettings and AdamSettings would refuse them) so the message names the option to change.
        if (!(learningRate() > 0) || !Float.isFinite(learningRate())) throw new IllegalArgumentException("--lr must be a positive number, got " + learningRate());
        if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("--momentum must be at least 0 and below 1, got " + momentum);
        if (!(weightDecay() >= 0) || !Double.isFinite(weightDecay())) throw new IllegalArgumentException("--weight-decay must be zero or positive, got " + weightDecay());
        if (nesterov && momentum == 0) throw new IllegalArgumentException("--nesterov needs a momentum above 0; pass --momentum, e.g. 0.9");
        if (!(clipGradNorm >= 0) || Double.isInfinite(clipGradNorm)) {
            throw new IllegalArgumentException("--clip-grad-norm must be zero (off) or a positive number, got " + clipGradNorm);
        }
        if (batchSize <= 0) throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
        if (limitTrain != null && limitTrain <= 0) throw new IllegalArgumentException("--limit-train must be at least 1, got " + limitTrain);
        if (!cudaGraphs.equals("on") && !cudaGraphs.equals("off")) {
            throw new IllegalArgumentException("--cuda-graphs must be on or off, got '" + cudaGraphs + "'");
        }
        if (limitTest != null && limitTest <= 0) throw new IllegalArgumentException("--limit-test must be at least 1, got " + limitTest);
        dropout.validate(Models.byId(model));
        schedule();
        ImagePreparation.Style.byId(preparation);
        if (resume != null && init != null) {
            throw new IllegalArgumentException("--init and --resume exclude each other: --resume continues a run (weights, momentum,"
                    + " epoch count), --init starts a new one from given weights; pass one of them");
        }
    }
}
