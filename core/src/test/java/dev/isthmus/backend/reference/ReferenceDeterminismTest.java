package dev.isthmus.backend.reference;

import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.backend.CrossEntropy;
import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;
import dev.isthmus.testing.TestTensors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;

import static dev.isthmus.testing.TensorAssert.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Same inputs, same bits: every op of the lesson's CNN at batch 64, run repeatedly and on
 * ForkJoin pools of different sizes (parallel streams started inside a pool run on that pool),
 * must give bit-identical results.
 */
class ReferenceDeterminismTest {
    private final ReferenceBackend backend = new ReferenceBackend();

    @AfterEach
    void close() {
        assertEquals(0, backend.liveBytes());
        backend.close();
    }

    /** Every op's result, by name, for one pass over the lesson's network. */
    private Map<String, float[]> lessonPass() {
        Map<String, float[]> results = new LinkedHashMap<>();
        Conv2dSpec conv = Conv2dSpec.defaults();
        Pool2dSpec pool = Pool2dSpec.of(2);
        try (Tensor x = TestTensors.uniform(backend, 1, 64, 1, 28, 28);
             Tensor w1 = TestTensors.uniform(backend, 2, 10, 1, 5, 5);
             Tensor b1 = TestTensors.uniform(backend, 3, 10);
             Tensor w2 = TestTensors.uniform(backend, 4, 20, 10, 5, 5);
             Tensor b2 = TestTensors.uniform(backend, 5, 20);
             Tensor fw = TestTensors.uniform(backend, 6, 10, 320);
             Tensor fb = TestTensors.uniform(backend, 7, 10);
             Tensor c1 = backend.conv2d(x, w1, b1, conv);
             Tensor p1 = backend.maxPool2d(c1, pool);
             Tensor r1 = backend.relu(p1);
             Tensor c2 = backend.conv2d(r1, w2, b2, conv);
             Tensor p2 = backend.maxPool2d(c2, pool);
             Tensor r2 = backend.relu(p2);
             Tensor logits = backend.linear(r2.flatten(), fw, fb);
             CrossEntropy loss = backend.softmaxCrossEntropy(logits, labels());
             Tensor dFlat = backend.linearBackwardInput(loss.gradLogits(), fw);
             Tensor dfw = backend.linearBackwardWeight(r2.flatten(), loss.gradLogits());
             Tensor dfb = backend.linearBackwardBias(loss.gradLogits());
             Tensor dr2 = backend.reluBackward(r2, dFlat.view(r2.shape()));
             Tensor dc2 = backend.maxPool2dBackward(c2, p2, dr2, pool);
             Tensor dr1 = backend.conv2dBackwardInput(dc2, w2, r1.shape(), conv);
             Tensor dw2 = backend.conv2dBackwardWeight(r1, dc2, w2.shape(), conv);
             Tensor db2 = backend.conv2dBackwardBias(dc2);
             Tensor dp1 = backend.reluBackward(r1, dr1);
             Tensor dc1 = backend.maxPool2dBackward(c1, p1, dp1, pool);
             Tensor dx = backend.conv2dBackwardInput(dc1, w1, x.shape(), conv);
             Tensor dw1 = backend.conv2dBackwardWeight(x, dc1, w1.shape(), conv);
             Tensor db1 = backend.conv2dBackwardBias(dc1)) {
            results.put("loss", new float[]{loss.loss()});
            for (var e : Map.of("conv1", c1, "conv2", c2, "logits", logits, "gradLogits", loss.gradLogits(), "dfw", dfw, "dfb", dfb,
                    "dr1", dr1, "dw2", dw2, "db2", db2, "dx", dx).entrySet()) {
                results.put(e.getKey(), e.getValue().toArray());
            }
            results.put("dw1", dw1.toArray());
            results.put("db1", db1.toArray());
        }
        return results;
    }

    private static int[] labels() {
        int[] labels = new int[64];
        for (int i = 0; i < labels.length; i++) labels[i] = (i * 7) % 10;
        return labels;
    }

    @Test
    void repeatedAndDifferentlyThreadedRunsAreBitIdentical() throws Exception {
        Map<String, float[]> first = lessonPass();
        compare(first, lessonPass(), "second run");
        for (int threads : new int[]{1, 3}) {
            ForkJoinPool pool = new ForkJoinPool(threads);
            try {
                compare(first, pool.submit(this::lessonPass).get(), "on a pool of " + threads);
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void batchOfOneSplitsRowsWithoutChangingBits() {
        // Batch 1 takes the row-parallel path; run twice, and compare with the same sample inside a batch of 2.
        Conv2dSpec spec = Conv2dSpec.of(1, 1);
        try (Tensor x = TestTensors.uniform(backend, 11, 1, 5, 20, 20);
             Tensor pair = backend.concatChannels(java.util.List.of(x, x));
             Tensor w = TestTensors.uniform(backend, 12, 10, 5, 3, 3);
             Tensor y1 = backend.conv2d(x, w, null, spec);
             Tensor y2 = backend.conv2d(x, w, null, spec);
             Tensor dx1 = backend.conv2dBackwardInput(y1, w, x.shape(), spec);
             Tensor dx2 = backend.conv2dBackwardInput(y2, w, x.shape(), spec)) {
            assertBitIdentical("conv2d batch 1", y1.toArray(), y2.toArray());
            assertBitIdentical("conv2dBackwardInput batch 1", dx1.toArray(), dx2.toArray());
            // The same image twice as a batch of 2 ([1, 10, …] → view as [2, 5, …]) gives the same bits per sample.
            try (Tensor y = backend.conv2d(pair.view(Shape.of(2, 5, 20, 20)), w, null, spec)) {
                float[] both = y.toArray();
                float[] single = y1.toArray();
                assertBitIdentical("sample 0 of the batch", single, java.util.Arrays.copyOfRange(both, 0, single.length));
                assertBitIdentical("sample 1 of the batch", single, java.util.Arrays.copyOfRange(both, single.length, both.length));
            }
        }
    }

    private static void compare(Map<String, float[]> expected, Map<String, float[]> actual, String run) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((name, values) -> assertBitIdentical(name + " (" + run + ")", values, actual.get(name)));
    }
}
