package dev.isthmus.backend.cuda;

import dev.isthmus.IsthmusException;
import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Models;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;
import dev.isthmus.testing.TestTensors;
import dev.isthmus.testing.standin.CudaStandIn;
import dev.isthmus.testing.standin.StandInControls;
import dev.isthmus.train.Sgd;
import dev.isthmus.train.SgdSettings;
import dev.isthmus.train.TrainingStep;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static dev.isthmus.testing.TensorAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the CUDA backend holds in the libraries, seen through the stand-in's own counters: every
 * allocation, stream, event, handle and descriptor is given back on close; an allocation failure in the
 * middle of a training step surfaces as a clear exception and leaks nothing; the workspace cap steers
 * the algorithm choice. Stand-in only: a real GPU has no such counters.
 */
@Tag("standin")
class StandInCudaResourcesTest {
    private static StandInControls controls;
    private long deviceBytes;
    private long deviceAllocations;
    private long streams;
    private long events;
    private long cublasHandles;
    private long cudnnObjects;
    private long freesWithPendingWork;

    @BeforeAll
    static void useStandIn() {
        CudaStandIn.useForCudaBackend();
        CudaEnvironment.requireUsable(); // loads the libraries, so the controls below see the same copy
        controls = StandInControls.open();
    }

    @BeforeEach
    void baseline() {
        controls.failAllocationsAfter(-1);
        deviceBytes = controls.liveDeviceBytes();
        deviceAllocations = controls.liveDeviceAllocations();
        streams = controls.liveStreams();
        events = controls.liveEvents();
        cublasHandles = controls.liveCublasHandles();
        cudnnObjects = controls.liveCudnnObjects();
        freesWithPendingWork = controls.freesWithPendingWork();
    }

    @AfterEach
    void everythingGivenBack() {
        controls.failAllocationsAfter(-1);
        assertEquals(deviceBytes, controls.liveDeviceBytes(), "device bytes");
        assertEquals(deviceAllocations, controls.liveDeviceAllocations(), "device allocations");
        assertEquals(streams, controls.liveStreams(), "streams");
        assertEquals(events, controls.liveEvents(), "events");
        assertEquals(cublasHandles, controls.liveCublasHandles(), "cuBLAS handles");
        assertEquals(cudnnObjects, controls.liveCudnnObjects(), "cuDNN handles and descriptors");
        // cudaFree only "may" synchronise: nothing may be freed while queued work can still use it.
        assertEquals(freesWithPendingWork, controls.freesWithPendingWork(),
                "cudaFree of memory that queued work may still use; last: " + controls.lastPendingFree());
    }

    @Test
    void trimmingThePoolAndGrowingTheWorkspaceWaitForQueuedWork() {
        try (CudaBackend cuda = CudaBackend.open(); Model model = Models.INCEPTION.create(cuda, 2); Sgd sgd = new Sgd(SgdSettings.lesson())) {
            for (int step = 0; step < 2; step++) {
                TrainingStep.run(model, sgd, CudaConformanceSuite.randomBatch(step, 4), step);
            }
            cuda.trim();
            assertEquals(0, cuda.pooledBytes());
        }
    }

    @Test
    void closingAfterTrainingGivesEverythingBackEvenWithTensorsStillOpen() {
        CudaBackend cuda = CudaBackend.open();
        Model model = Models.INCEPTION.create(cuda, 1);
        Sgd sgd = new Sgd(SgdSettings.lesson());
        for (int step = 0; step < 2; step++) {
            TrainingStep.run(model, sgd, CudaConformanceSuite.randomBatch(step, 4), step);
        }
        assertTrue(controls.liveDeviceBytes() > deviceBytes);
        cuda.close(); // model and optimizer still hold tensors: the backend frees them anyway
        assertEquals(0, cuda.liveBytes());
        model.close(); // harmless now
        sgd.close();
    }

    @Test
    void anAllocationFailureMidStepIsAClearErrorAndLeaksNothing() {
        try (CudaBackend cuda = CudaBackend.open(); Model model = Models.CNN.create(cuda, 2); Sgd sgd = new Sgd(SgdSettings.lesson())) {
            TrainingStep.run(model, sgd, CudaConformanceSuite.randomBatch(10, 8), 0);
            cuda.trim(); // empty the pool so the next step has to ask the driver again
            long live = cuda.liveBytes();
            long allocationsBefore = controls.liveDeviceAllocations();
            for (int allowed : new int[] {0, 1, 3, 6}) {
                controls.failAllocationsAfter(allowed);
                IsthmusException e = assertThrows(IsthmusException.class,
                        () -> TrainingStep.run(model, sgd, CudaConformanceSuite.randomBatch(11, 8), 1), "failure after " + allowed + " allocations");
                controls.failAllocationsAfter(-1);
                assertTrue(e.getMessage().startsWith("out of GPU memory"), e.getMessage());
                assertTrue(e.getMessage().contains("--batch-size"), "names a fix: " + e.getMessage());
                assertEquals(live, cuda.liveBytes(), "the failed step's tensors were all freed (failure after " + allowed + ")");
                cuda.trim();
                assertEquals(allocationsBefore, controls.liveDeviceAllocations(), "nothing held by the driver beyond the model (failure after " + allowed + ")");
            }
            // The backend stays usable after the failure.
            float loss = TrainingStep.run(model, sgd, CudaConformanceSuite.randomBatch(12, 8), 2);
            assertTrue(Float.isFinite(loss));
        }
    }

    @Test
    void aFullPoolIsEmptiedBeforeAnAllocationFails() {
        try (CudaBackend cuda = CudaBackend.open()) {
            Tensor big = cuda.zeros(Shape.of(1 << 20));
            big.close(); // 4 MiB cached in the pool
            assertEquals(4L << 20, cuda.pooledBytes());
            long previous = controls.setDeviceMemory(controls.liveDeviceBytes() + (5L << 20) - (4L << 20));
            try {
                // Only ~1 MiB is free beyond the pool: a 2 MiB tensor fits once the pool is handed back.
                try (Tensor other = cuda.zeros(Shape.of(1 << 19))) {
                    assertEquals(0, cuda.pooledBytes(), "the pool was trimmed to make room");
                    assertEquals(other.shape().bytes(), cuda.liveBytes());
                    assertEquals(2L << 20, other.shape().bytes());
                }
            } finally {
                controls.setDeviceMemory(previous);
            }
        }
    }

    @Test
    void theWorkspaceCapSelectsAlgorithmsThatFit() {
        Shape inputShape = Shape.of(2, 3, 9, 9);
        Shape weightShape = Shape.of(4, 3, 3, 3);
        float[] x = TestTensors.uniform(1, (int) inputShape.numel());
        float[] w = TestTensors.uniform(2, (int) weightShape.numel());
        float[] dy = TestTensors.uniform(3, 2 * 4 * 7 * 7);
        float[][] expected;
        try (ReferenceBackend reference = new ReferenceBackend()) {
            expected = convolve(reference, inputShape, weightShape, x, w, dy);
        }
        for (AlgorithmSearch search : AlgorithmSearch.values()) {
            try (CudaBackend roomy = CudaBackend.open(CudaOptions.defaults().withAlgorithmSearch(search));
                 CudaBackend tight = CudaBackend.open(CudaOptions.defaults().withAlgorithmSearch(search).withWorkspaceCapBytes(0))) {
                float[][] withWorkspace = convolve(roomy, inputShape, weightShape, x, w, dy);
                float[][] without = convolve(tight, inputShape, weightShape, x, w, dy);
                assertTrue(roomy.workspaceBytes() > 0, "the stand-in's preferred algorithms use a workspace");
                assertEquals(0, tight.workspaceBytes(), search + ": with a zero cap only algorithms without workspace run");
                for (int i = 0; i < 3; i++) {
                    assertClose(search + " result " + i + " with workspace", expected[i], withWorkspace[i], 1e-4, 1e-4);
                    assertClose(search + " result " + i + " without workspace", expected[i], without[i], 1e-4, 1e-4);
                }
            }
        }
    }

    @Test
    void deterministicModeWithNoFittingAlgorithmSaysWhatToChange() {
        try (CudaBackend cuda = CudaBackend.open(CudaOptions.defaults().withDeterministic(true).withWorkspaceCapBytes(0));
             Tensor x = cuda.zeros(Shape.of(1, 2, 6, 6)); Tensor w = cuda.zeros(Shape.of(2, 2, 3, 3));
             Tensor dy = cuda.zeros(Shape.of(1, 2, 4, 4))) {
            cuda.conv2d(x, w, null, Conv2dSpec.defaults()).close(); // forward has a deterministic zero-workspace algorithm
            IsthmusException e = assertThrows(IsthmusException.class,
                    () -> cuda.conv2dBackwardInput(dy, w, x.shape(), Conv2dSpec.defaults()));
            assertTrue(e.getMessage().contains("conv2d backward input") && e.getMessage().contains("workspace cap"), e.getMessage());
            assertEquals(x.shape().bytes() + w.shape().bytes() + dy.shape().bytes(), cuda.liveBytes(), "the failed op freed its output");
        }
    }

    private static float[][] convolve(dev.isthmus.backend.Backend backend, Shape inputShape, Shape weightShape, float[] x, float[] w, float[] dy) {
        Conv2dSpec spec = Conv2dSpec.defaults();
        try (Tensor tx = backend.fromArray(inputShape, x); Tensor tw = backend.fromArray(weightShape, w);
             Tensor tdy = backend.fromArray(Shape.of(2, 4, 7, 7), dy);
             Tensor y = backend.conv2d(tx, tw, null, spec);
             Tensor dx = backend.conv2dBackwardInput(tdy, tw, inputShape, spec);
             Tensor dw = backend.conv2dBackwardWeight(tx, tdy, weightShape, spec)) {
            return new float[][] {y.toArray(), dx.toArray(), dw.toArray()};
        }
    }
}
