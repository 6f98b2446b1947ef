package dev.isthmus.backend.parallel;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The parallel split every CPU kernel uses: each part once, failures reach the caller, nesting and concurrent callers. */
class ForkJoinPartsTest {
    @RepeatedTest(20)
    void everyPartRunsExactlyOnce() {
        for (int count : new int[] {0, 1, 2, 3, 64, 1000}) {
            AtomicIntegerArray runs = new AtomicIntegerArray(Math.max(1, count));
            ForkJoinParts.forEach(count, runs::incrementAndGet);
            for (int i = 0; i < count; i++) assertEquals(1, runs.get(i), "part " + i + " of " + count);
        }
    }

    @Test
    void rangesCoverTheWholeRangeWithoutOverlap() {
        AtomicIntegerArray covered = new AtomicIntegerArray(1001);
        ForkJoinParts.forRanges(1001, 7, (from, to) -> {
            for (int i = from; i < to; i++) covered.incrementAndGet(i);
        });
        for (int i = 0; i < 1001; i++) assertEquals(1, covered.get(i), "index " + i);
    }

    @Test
    void aFailingPartReachesTheCallerAndTheNextOpStillRuns() {
        IllegalStateException failure = assertThrows(IllegalStateException.class, () -> ForkJoinParts.forEach(64, i -> {
            if (i == 37) throw new IllegalStateException("part 37 failed");
        }));
        assertEquals("part 37 failed", failure.getMessage());
        AtomicIntegerArray runs = new AtomicIntegerArray(64);
        ForkJoinParts.forEach(64, runs::incrementAndGet);
        for (int i = 0; i < 64; i++) assertEquals(1, runs.get(i));
    }

    @Test
    void aNestedSplitRunsInsideItsPartWithoutDeadlock() {
        AtomicIntegerArray runs = new AtomicIntegerArray(16 * 16);
        ForkJoinParts.forEach(16, outer -> ForkJoinParts.forEach(16, inner -> runs.incrementAndGet(outer * 16 + inner)));
        for (int i = 0; i < 256; i++) assertEquals(1, runs.get(i));
    }

    @Test
    void callersOnSeveralThreadsAtOnceEachGetAllTheirParts() throws InterruptedException {
        int callers = 4;
        CountDownLatch start = new CountDownLatch(1);
        Set<Throwable> failures = ConcurrentHashMap.newKeySet();
        Thread[] threads = new Thread[callers];
        for (int c = 0; c < callers; c++) {
            threads[c] = Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    for (int round = 0; round < 200; round++) {
                        AtomicIntegerArray runs = new AtomicIntegerArray(32);
                        ForkJoinParts.forEach(32, runs::incrementAndGet);
                        for (int i = 0; i < 32; i++) {
                            if (runs.get(i) != 1) throw new AssertionError("part " + i + " ran " + runs.get(i) + " times");
                        }
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            });
        }
        start.countDown();
        for (Thread thread : threads) thread.join();
        assertTrue(failures.isEmpty(), failures.toString());
    }
}
