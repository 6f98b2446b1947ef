package dev.isthmus.cli;

import dev.isthmus.backend.cuda.CudaEnvironment;
import dev.isthmus.checkpoint.HostTensor;
import dev.isthmus.checkpoint.SafeTensors;
import dev.isthmus.checkpoint.SafeTensorsFile;
import dev.isthmus.checkpoint.TrainingCheckpoints;
import dev.isthmus.reliability.JavaProcess;
import dev.isthmus.reliability.TinyMnist;
import dev.isthmus.tensor.Shape;
import dev.isthmus.testing.standin.CudaStandIn;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Every kind of bad input a user can give the command line ends in ONE line on stderr, starting with
 * "isthmus: ", naming the problem (and, through the message, the fix), with a documented exit code
 * (2 bad input, 3 CUDA not usable, 1 out of GPU memory, 5 diverged) and no stack trace unless --verbose.
 * Data folders are tiny generated MNIST-format sets; the reference backend trains on them in seconds.
 */
class BadInputTest {
    private static final int TRAIN_IMAGES = 16;
    private static final int TEST_IMAGES = 8;

    @TempDir
    static Path shared;
    private static Path data;
    private static Path checkpoint;

    @TempDir
    Path temp;

    /** One real training run gives the checkpoint the checkpoint cases damage. */
    @BeforeAll
    static void trainOnce() {
        data = TinyMnist.write(shared.resolve("data"), TRAIN_IMAGES, TEST_IMAGES, 1);
        CliRunner result = CliRunner.run("train", "--backend", "reference", "--no-progress", "--data", data.toString(),
                "--out", shared.resolve("run").toString(), "--epochs", "1", "--batch-size", "8");
        assertEquals(0, result.exitCode(), result.err());
        checkpoint = shared.resolve("run/model.safetensors");
        assertTrue(Files.isRegularFile(checkpoint));
    }

    // ------------------------------------------------------------------ command-line arguments

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "--batch-size, 0", "--batch-size, -3", "--batch-size, abc",
            "--epochs, 0", "--epochs, -1", "--epochs, 99999999999",
            "--lr, 0", "--lr, -0.1", "--lr, NaN", "--lr, Infinity", "--lr, abc",
            "--momentum, 1", "--momentum, -0.5",
            "--weight-decay, -1",
            "--limit-train, 0", "--limit-test, -2",
            "--seed, x",
            "--cuda-graphs, maybe",
            "--dropout, 1", "--dropout, -0.1", "--dropout, NaN",
            "--warmup-epochs, -1", "--warmup-epochs, 2", "--warmup-epochs, 1", "--lr-step-epochs, 0", "--lr-schedule, linear", "--clip-grad-norm, -1", "--clip-grad-norm, NaN",
    })
    void outOfRangeTrainingArgumentsNameTheOption(String option, String value) {
        assertBadInput(train(option, value), 2, option);
    }

    @Test
    void nesterovWithoutMomentumNamesBothOptions() {
        List<String> arguments = trainArguments("--momentum", "0");
        arguments.add("--nesterov");
        assertBadInput(CliRunner.run(arguments.toArray(String[]::new)), 2, "--nesterov", "--momentum");
    }

    @Test
    void evalBatchSizeOutOfRange() {
        assertBadInput(CliRunner.run("eval", "--checkpoint", checkpoint.toString(), "--data", data.toString(), "--backend", "reference",
                "--batch-size", "0"), 2, "--batch-size");
    }

    @Test
    void unknownModelBackendAndDatasetListTheChoices() {
        assertBadInput(train("--model", "lenet"), 2, "unknown model 'lenet'", "cnn, inception, resnet");
        assertBadInput(train("--backend", "tpu"), 2, "--backend", "auto, reference, cpu, cuda");
        assertBadInput(train("--dataset", "cifar"), 2, "unknown dataset 'cifar'", "mnist or fashion-mnist");
        assertBadInput(train("--cudnn-algo", "fastest", "--backend", "cuda"), 2, "--cudnn-algo");
    }

    @Test
    void unknownSubcommandAndOptionAreOneLine() {
        assertBadInput(CliRunner.run("trian"), 2, "trian", "train");
        assertBadInput(CliRunner.run("train", "--epoch", "3"), 2, "--epoch");
        assertBadInput(CliRunner.run(), 2, "subcommand");
    }

    @Test
    void verboseAddsTheStackTrace() {
        CliRunner result = train("--lr", "0", "--verbose");
        assertEquals(2, result.exitCode());
        assertTrue(result.err().startsWith("isthmus: --lr"), result.err());
        assertTrue(result.err().contains("at dev.isthmus"), "a stack trace with --verbose: " + result.err());
    }

    // ------------------------------------------------------------------ data files

    @Test
    void dataFolderThatIsAFileIsOneLine() throws IOException {
        Path file = Files.writeString(temp.resolve("not-a-folder"), "x");
        CliRunner result = train("--data", file.toString());
        // A missing data set is fetched first (a progress line says so), so the error is the last line.
        assertErrorLine(result, 2, "cannot create the data folder", file.toString(), "a file of that name already exists");
    }

    @Test
    void truncatedImagesNameTheFile() throws IOException {
        Path folder = copyOfData();
        byte[] images = Files.readAllBytes(folder.resolve(TinyMnist.TRAIN_IMAGES));
        TinyMnist.replace(folder, TinyMnist.TRAIN_IMAGES, Arrays.copyOf(images, 1000));
        assertBadInput(train("--data", folder.toString()), 2, TinyMnist.TRAIN_IMAGES, "truncated", "isthmus data fetch");
    }

    @Test
    void trailingBytesAreAnError() throws IOException {
        Path folder = copyOfData();
        byte[] labels = Files.readAllBytes(folder.resolve(TinyMnist.TEST_LABELS));
        TinyMnist.replace(folder, TinyMnist.TEST_LABELS, Arrays.copyOf(labels, labels.length + 3));
        assertBadInput(train("--data", folder.toString()), 2, TinyMnist.TEST_LABELS, "3 trailing bytes");
    }

    @Test
    void swappedImagesAndLabelsAreNamedAsSuch() throws IOException {
        Path folder = copyOfData();
        byte[] labels = Files.readAllBytes(folder.resolve(TinyMnist.TRAIN_LABELS));
        TinyMnist.replace(folder, TinyMnist.TRAIN_IMAGES, labels);
        assertBadInput(train("--data", folder.toString()), 2, TinyMnist.TRAIN_IMAGES, "swapped");
    }

    @Test
    void headerThatIsNotIdxIsNamed() {
        Path folder = copyOfData();
        TinyMnist.replace(folder, TinyMnist.TEST_IMAGES, "<html>Not Found</html>".getBytes());
        assertBadInput(train("--data", folder.toString()), 2, TinyMnist.TEST_IMAGES, "not an IDX file");
    }

    @Test
    void fewerLabelsThanImages() {
        Path folder = copyOfData();
        TinyMnist.replace(folder, TinyMnist.TRAIN_LABELS, TinyMnist.labels(TRAIN_IMAGES - 1, new SplittableRandom(2)));
        assertBadInput(train("--data", folder.toString()), 2, TinyMnist.TRAIN_LABELS, (TRAIN_IMAGES - 1) + " labels but");
    }

    @Test
    void labelOutsideTheTenClasses() {
        Path folder = copyOfData();
        byte[] labels = TinyMnist.labels(TEST_IMAGES, new SplittableRandom(3));
        labels[8 + 5] = 10;
        TinyMnist.replace(folder, TinyMnist.TEST_LABELS, labels);
        assertBadInput(train("--data", folder.toString()), 2, TinyMnist.TEST_LABELS, "label 10 at index 5");
    }

    @Test
    void trainAndTestImagesOfDifferentSizes() {
        Path folder = copyOfData();
        TinyMnist.replace(folder, TinyMnist.TEST_IMAGES, TinyMnist.images(TEST_IMAGES, 20, 20, new SplittableRandom(4)));
        assertBadInput(train("--data", folder.toString()), 2, "28x28", "20x20");
    }

    @Test
    void imagesOfAnotherSizeThanTheModelTakes() {
        Path folder = copyOfData();
        TinyMnist.replace(folder, TinyMnist.TRAIN_IMAGES, TinyMnist.images(TRAIN_IMAGES, 20, 20, new SplittableRandom(5)));
        TinyMnist.replace(folder, TinyMnist.TEST_IMAGES, TinyMnist.images(TEST_IMAGES, 20, 20, new SplittableRandom(6)));
        assertBadInput(train("--data", folder.toString()), 2, "20x20", "28x28");
    }

    @Test
    void damagedGzipIsNamed() throws IOException {
        Path folder = copyOfData();
        byte[] gzip = gzip(Files.readAllBytes(folder.resolve(TinyMnist.TRAIN_IMAGES)));
        Files.delete(folder.resolve(TinyMnist.TRAIN_IMAGES));
        Files.write(folder.resolve(TinyMnist.TRAIN_IMAGES + ".gz"), Arrays.copyOf(gzip, gzip.length / 2));
        assertBadInput(train("--data", folder.toString()), 2, TinyMnist.TRAIN_IMAGES + ".gz", "gzip");
    }

    /** 250,000 blank images gzip to 200 KB but need 196 MB as bytes: with a 96 MB heap that is an error, not an OutOfMemoryError. */
    @Test
    void dataLargerThanTheHeapIsAnErrorNotACrash() throws IOException {
        Path folder = copyOfData();
        int count = 250_000;
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(compressed)) {
            out.write(ByteBuffer.allocate(16).putInt(0x803).putInt(count).putInt(28).putInt(28).array());
            byte[] blank = new byte[28 * 28 * 1000];
            for (int i = 0; i < count / 1000; i++) out.write(blank);
        }
        Files.delete(folder.resolve(TinyMnist.TRAIN_IMAGES));
        Files.write(folder.resolve(TinyMnist.TRAIN_IMAGES + ".gz"), compressed.toByteArray());
        TinyMnist.replace(folder, TinyMnist.TRAIN_LABELS, TinyMnist.labels(count, new SplittableRandom(8)));
        JavaProcess child = JavaProcess.start(temp.resolve("child-logs"), List.of("-Xmx96m"), IsthmusCommand.class.getName(),
                trainArguments("--data", folder.toString()), Map.of(), Map.of());
        assertBadInput(new CliRunner(child.waitFor(120), child.stdout(), child.stderr()), 2, TinyMnist.TRAIN_IMAGES, "MiB",
                "more than the Java heap has free", "-Xmx");
    }

    // ------------------------------------------------------------------ checkpoints

    @Test
    void missingCheckpoint() {
        Path absent = temp.resolve("absent.safetensors");
        assertBadInput(eval(absent), 2, absent.toString(), "not found");
        assertBadInput(train("--resume", absent.toString()), 2, absent.toString(), "not found");
    }

    @Test
    void truncatedCheckpoint() throws IOException {
        byte[] content = Files.readAllBytes(checkpoint);
        Path truncated = Files.write(temp.resolve("model.safetensors"), Arrays.copyOf(content, content.length - 100));
        assertBadInput(eval(truncated), 2, truncated.toString(), "truncated", "damaged");
        assertBadInput(train("--resume", truncated.toString()), 2, truncated.toString(), "damaged");
    }

    @Test
    void checkpointWithABadHeader() throws IOException {
        byte[] content = Files.readAllBytes(checkpoint);
        content[8] = '[';
        Path badJson = Files.write(temp.resolve("json.safetensors"), content);
        assertBadInput(eval(badJson), 2, badJson.toString(), "header does not start with '{'");
        Path empty = Files.write(temp.resolve("empty.safetensors"), new byte[0]);
        assertBadInput(eval(empty), 2, empty.toString(), "too short");
        byte[] hugeLength = ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE).array();
        Path lying = Files.write(temp.resolve("lying.safetensors"), hugeLength);
        assertBadInput(eval(lying), 2, lying.toString(), "larger than the file");
    }

    @Test
    void checkpointOfAnotherModel() {
        assertBadInput(eval(checkpoint, "--model", "resnet"), 2, "model 'resnet'", "another model");
        assertBadInput(train("--resume", checkpoint.toString(), "--model", "resnet"), 2, "is of model 'cnn'", "--model cnn");
    }

    @Test
    void checkpointWithWrongShapes() {
        SafeTensorsFile original = SafeTensors.read(checkpoint);
        Map<String, HostTensor> tensors = new LinkedHashMap<>(original.tensors());
        tensors.put("conv1.weight", new HostTensor(Shape.of(10, 1, 3, 3), new float[90]));
        Path reshaped = temp.resolve("reshaped.safetensors");
        SafeTensors.write(reshaped, tensors, original.metadata());
        assertBadInput(eval(reshaped), 2, "conv1.weight has shape [10, 1, 3, 3] but model 'cnn' expects [10, 1, 5, 5]");
        assertBadInput(train("--resume", reshaped.toString()), 2, "conv1.weight has shape [10, 1, 3, 3]");
    }

    @Test
    void optimizerStateOfAnotherSaveIsNotPairedWithTheWeights() throws IOException {
        Path folder = Files.createDirectories(temp.resolve("mixed"));
        Path model = Files.copy(checkpoint, folder.resolve("model.safetensors"));
        SafeTensorsFile optimizer = SafeTensors.read(TrainingCheckpoints.optimizerFile(checkpoint));
        Map<String, String> otherSave = new LinkedHashMap<>(optimizer.metadata());
        otherSave.put(TrainingCheckpoints.CHECKPOINT_ID, "another-save");
        SafeTensors.write(TrainingCheckpoints.optimizerFile(model), optimizer.tensors(), otherSave);
        assertBadInput(train("--resume", model.toString()), 2, "belongs to another save", "delete model.optimizer.safetensors");
    }

    /** --epochs counts all epochs, so resuming a 1-epoch checkpoint with --epochs 1 would train nothing. */
    @Test
    void resumingWithNoEpochsLeftSaysHowManyToAskFor() {
        assertBadInput(train("--resume", checkpoint.toString(), "--epochs", "1"), 2, "--epochs 1", "already holds", "--epochs 2 or more");
    }

    @Test
    void plainStateDictCannotBeResumedButEvaluates() {
        Path plain = temp.resolve("state-dict.safetensors");
        SafeTensors.write(plain, SafeTensors.read(checkpoint).tensors(), Map.of());
        assertBadInput(train("--resume", plain.toString()), 2, "metadata lacks 'epoch'");
        assertEquals(0, eval(plain).exitCode(), "weights alone are enough for eval");
    }

    // ------------------------------------------------------------------ training that diverges

    @Test
    void divergenceStopsWithStepAndLayerAndKeepsTheLastCheckpoint() throws IOException {
        Path run = Files.createDirectories(temp.resolve("diverge"));
        Path model = Files.copy(checkpoint, run.resolve("model.safetensors"));
        Files.copy(TrainingCheckpoints.optimizerFile(checkpoint), TrainingCheckpoints.optimizerFile(model));
        byte[] before = Files.readAllBytes(model);

        CliRunner result = train("--resume", model.toString(), "--out", run.toString(), "--epochs", "4", "--lr", "1e30");

        assertBadInput(result, 5, "training diverged at step", "first non-finite values:", "--lr", "the last checkpoint is intact");
        assertArrayEquals(before, Files.readAllBytes(model), "the last good checkpoint is untouched");
        assertEquals(0, eval(model).exitCode(), "and still evaluates");
    }

    // ------------------------------------------------------------------ CUDA

    @Test
    void cudaBackendWithoutAGpuIsExitCode3WithTheDiagnosis() {
        assumeFalse(CudaEnvironment.probe().usable(), "a usable GPU is present");
        assertBadInput(train("--backend", "cuda"), 3, "CUDA backend not usable", "isthmus doctor");
        // Told before the data is loaded: a data set that would first have to be fetched does not hide it.
        Path nowhere = temp.resolve("no-data-here");
        assertBadInput(train("--backend", "cuda", "--data", nowhere.toString()), 3, "CUDA backend not usable");
        assertFalse(Files.exists(nowhere), "no fetch was attempted");
        assertBadInput(eval(checkpoint, "--backend", "cuda", "--data", nowhere.toString()), 3, "CUDA backend not usable");
    }

    /** A cuDNN of another major version (here a file named libcudnn.so.8) is named in the diagnosis; exit 3. */
    @Test
    void cudnnOfTheWrongMajorVersionIsNamed() throws IOException {
        Path libraries = Files.createDirectories(temp.resolve("cuda-libs"));
        for (String file : List.of("libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13")) {
            Files.copy(CudaStandIn.library(file), libraries.resolve(file));
        }
        Files.copy(CudaStandIn.library("libcudnn.so.9"), libraries.resolve("libcudnn.so.8"));
        JavaProcess child = runChild(Map.of("isthmus.cuda.path", libraries.toString()), Map.of(),
                trainArguments("--backend", "cuda"));
        assertBadInput(new CliRunner(child.waitFor(120), child.stdout(), child.stderr()), 3, "libcudnn.so.9 not found",
                libraries.resolve("libcudnn.so.8").toString());
    }

    /** The CPU stand-in of the CUDA libraries with 1 MiB of "device" memory: a step of 16 images cannot fit, one of 4 can. */
    @Test
    void gpuWithoutEnoughMemoryForTheBatchSaysToLowerIt() {
        Map<String, String> standIn = Map.of("isthmus.cuda.path", CudaStandIn.libraryDir().toString());
        Map<String, String> oneMebibyte = Map.of("ISTHMUS_STANDIN_DEVICE_MEMORY", "1M");
        JavaProcess tooBig = runChild(standIn, oneMebibyte, trainArguments("--backend", "cuda", "--batch-size", "16"));
        assertBadInput(new CliRunner(tooBig.waitFor(120), tooBig.stdout(), tooBig.stderr()), 1, "out of GPU memory", "--batch-size");

        JavaProcess smaller = runChild(standIn, oneMebibyte, trainArguments("--backend", "cuda", "--batch-size", "4"));
        assertEquals(0, smaller.waitFor(120), "the advice works: " + smaller.stderr());
        // No room for cuBLAS's graph-capture workspace either: said once, and training goes on without graphs.
        assertEquals(1, smaller.stderr().lines().filter(line -> line.contains("training goes on without CUDA graphs")).count(),
                smaller.stderr());
    }

    // ------------------------------------------------------------------ helpers

    /** Exit code, exactly one line on stderr starting "isthmus: " and naming each snippet, and no stack trace. */
    static void assertBadInput(CliRunner result, int exitCode, String... named) {
        List<String> lines = result.err().lines().filter(line -> !line.isBlank()).toList();
        assertEquals(1, lines.size(), () -> "exactly one line on stderr, got:\n" + result.err());
        assertErrorLine(result, exitCode, named);
    }

    /** Like {@link #assertBadInput}, allowing progress lines (a fetch attempt) before the one error line. */
    static void assertErrorLine(CliRunner result, int exitCode, String... named) {
        assertEquals(exitCode, result.exitCode(), () -> "exit code; stderr:\n" + result.err());
        List<String> lines = result.err().lines().filter(line -> !line.isBlank()).toList();
        assertFalse(lines.isEmpty(), "an error line on stderr");
        String line = lines.getLast();
        assertTrue(line.startsWith("isthmus: "), line);
        assertEquals(1, lines.stream().filter(l -> l.startsWith("isthmus:")).count(), () -> "one error line:\n" + result.err());
        for (String snippet : named) {
            assertTrue(line.contains(snippet), () -> "names '" + snippet + "': " + line);
        }
        assertFalse(result.err().contains("Exception"), () -> "no exception class names without --verbose:\n" + result.err());
        assertFalse(result.err().contains("at dev.isthmus"), () -> "no stack trace without --verbose:\n" + result.err());
    }

    /** {@code train} on the tiny data set with the reference backend; {@code overrides} replace or add options. */
    private CliRunner train(String... overrides) {
        return CliRunner.run(trainArguments(overrides).toArray(String[]::new));
    }

    private List<String> trainArguments(String... overrides) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("--backend", "reference");
        options.put("--data", data.toString());
        options.put("--out", temp.resolve("out").toString());
        options.put("--epochs", "1");
        options.put("--batch-size", "8");
        List<String> flags = new ArrayList<>(List.of("--no-progress"));
        for (int i = 0; i < overrides.length; i++) {
            if (overrides[i].equals("--verbose")) {
                flags.add(overrides[i]);
            } else {
                options.put(overrides[i], overrides[++i]);
            }
        }
        List<String> arguments = new ArrayList<>(List.of("train"));
        options.forEach((option, value) -> {
            arguments.add(option);
            arguments.add(value);
        });
        arguments.addAll(flags);
        return arguments;
    }

    /** {@code eval} of {@code file} on the tiny data set with the reference backend; {@code overrides} replace or add options. */
    private CliRunner eval(Path file, String... overrides) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("--checkpoint", file.toString());
        options.put("--data", data.toString());
        options.put("--backend", "reference");
        for (int i = 0; i < overrides.length; i += 2) options.put(overrides[i], overrides[i + 1]);
        List<String> arguments = new ArrayList<>(List.of("eval"));
        options.forEach((option, value) -> {
            arguments.add(option);
            arguments.add(value);
        });
        return CliRunner.run(arguments.toArray(String[]::new));
    }

    private JavaProcess runChild(Map<String, String> properties, Map<String, String> environment, List<String> arguments) {
        return JavaProcess.start(temp.resolve("child-logs"), IsthmusCommand.class.getName(), arguments, properties, environment);
    }

    private Path copyOfData() {
        Path folder = temp.resolve("data-copy");
        try {
            Files.createDirectories(folder);
            for (String file : List.of(TinyMnist.TRAIN_IMAGES, TinyMnist.TRAIN_LABELS, TinyMnist.TEST_IMAGES, TinyMnist.TEST_LABELS)) {
                Files.copy(data.resolve(file), folder.resolve(file));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return folder;
    }

    private static byte[] gzip(byte[] content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(content);
        }
        return bytes.toByteArray();
    }
}
