package dev.isthmus.backend.cuda;

import dev.isthmus.data.Batches;
import dev.isthmus.data.DataFile;
import dev.isthmus.data.Dataset;
import dev.isthmus.data.DatasetFetcher;
import dev.isthmus.data.DatasetKind;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Models;
import dev.isthmus.train.EpochMetrics;
import dev.isthmus.train.Sgd;
import dev.isthmus.train.SgdSettings;
import dev.isthmus.train.Trainer;
import dev.isthmus.train.TrainingStep;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The CUDA backend end to end on a real GPU: one epoch of the lesson CNN on MNIST must reach 96.5% test
 * accuracy, and device memory ({@code cudaMemGetInfo}) must come back to its baseline after many steps
 * and after a backend closes. Skipped, with the reason printed, without a usable GPU or without MNIST
 * (folder: {@code -Disthmus.mnist.dir}, else the user cache {@code isthmus data fetch} fills).
 * <p>
 * A dry run of the device check sets {@code -Disthmus.gpuTests.mnistLimit=N} to train on N images on
 * the stand-in; the accuracy bound is then not applied (it needs the full epoch) and the run only shows
 * the plumbing works.
 */
@Tag("gpu")
class GpuTrainingTest {
    private static final double REQUIRED_ACCURACY = 0.965;
    /** cudaMemGetInfo moves in whole pages of the driver's allocator; 8 MiB absorbs its own bookkeeping. */
    private static final long MEMORY_SLACK = 8L << 20;

    @BeforeEach
    void requireGpu() {
        GpuAvailability.assumeRealGpu();
    }

    @Test
    void oneEpochOfTheLessonCnnReachesTheLessonsAccuracy() {
        Path folder = Path.of(System.getProperty("isthmus.mnist.dir", DatasetFetcher.defaultFolder(DatasetKind.MNIST).toString()));
        boolean present = Arrays.stream(DataFile.values()).allMatch(file -> file.locate(folder) != null);
        if (!present) System.out.println("[gpu test skipped] no MNIST in " + folder + " (run `isthmus data fetch` or set -Disthmus.mnist.dir)");
        assumeTrue(present, "no MNIST in " + folder);
        Dataset data = Dataset.load(DatasetKind.MNIST, folder);
        int limit = Integer.getInteger("isthmus.gpuTests.mnistLimit", 0);
        if (limit > 0) data = data.first(limit, limit);

        try (CudaBackend cuda = CudaBackend.open(); Model model = Models.CNN.create(cuda, 42); Sgd sgd = new Sgd(SgdSettings.lesson())) {
            Trainer trainer = new Trainer(model, sgd, new Trainer.Listener() {
            });
            Batches train = Batches.shuffled(data.train(), 64, 42);
            Batches test = Batches.inOrder(data.test(), 1000);
            EpochMetrics metrics = trainer.epoch(1, train.epoch(1), train.batchCount(), test.epoch(1), data.classes());
            System.out.printf(Locale.ROOT, "[gpu] %s: lesson CNN, 1 epoch on %d MNIST images: loss %.4f, test accuracy %.2f%%, %.1f s, %.0f images/s%n",
                    cuda.gpu().describe(), data.train().size(), metrics.trainLoss(), 100 * metrics.testAccuracy(), metrics.seconds(), metrics.imagesPerSecond());
            cuda.convolutionAlgorithms().forEach(line -> System.out.println("[gpu] cuDNN " + line));
            assertTrue(Double.isFinite(metrics.trainLoss()), "finite training loss");
            if (limit == 0) {
                assertTrue(metrics.testAccuracy() >= REQUIRED_ACCURACY, String.format(Locale.ROOT,
                        "test accuracy after one epoch is %.2f%%, below the lesson's %.1f%%", 100 * metrics.testAccuracy(), 100 * REQUIRED_ACCURACY));
            } else {
                System.out.println("[gpu] trained on " + limit + " images only (isthmus.gpuTests.mnistLimit): accuracy bound not applied");
            }
        }
    }

    @Test
    void deviceMemoryReturnsToItsBaseline() {
        try (CudaBackend observer = CudaBackend.open()) {
            // Warm-up: cuDNN and cuBLAS allocate internal buffers on first use of a kernel, and the first
            // handles of a context may leave memory the context keeps; a throwaway backend absorbs both.
            runSteps(observer, 3);
            try (CudaBackend throwaway = CudaBackend.open()) {
                runSteps(throwaway, 3);
            }
            observer.trim();
            long baseline = observer.deviceMemory().freeBytes();

            runSteps(observer, 50);
            assertEquals(0, observer.liveBytes());
            observer.trim();
            long afterSteps = observer.deviceMemory().freeBytes();
            System.out.printf(Locale.ROOT, "[gpu] free device memory: baseline %d, after 50 steps and trim %d%n", baseline, afterSteps);
            assertTrue(Math.abs(afterSteps - baseline) <= MEMORY_SLACK,
                    "free device memory after 50 steps differs from the baseline by " + (afterSteps - baseline) + " bytes");

            CudaBackend other = CudaBackend.open();
            runSteps(other, 10);
            other.close();
            long afterOtherClosed = observer.deviceMemory().freeBytes();
            System.out.printf(Locale.ROOT, "[gpu] free device memory after a second backend trained and closed: %d%n", afterOtherClosed);
            assertTrue(Math.abs(afterOtherClosed - baseline) <= MEMORY_SLACK,
                    "closing a backend left " + (baseline - afterOtherClosed) + " bytes of device memory in use");
        }
    }

    private static void runSteps(CudaBackend cuda, int steps) {
        int batch = GpuAvailability.isStandIn(cuda.gpu()) ? 4 : 64; // a dry run computes on one CPU core
        try (Model model = Models.INCEPTION.create(cuda, 1); Sgd sgd = new Sgd(SgdSettings.lesson())) {
            for (int step = 0; step < steps; step++) {
                TrainingStep.run(model, sgd, CudaConformanceSuite.randomBatch(step, batch), step);
            }
        }
        cuda.synchronize();
    }
}
