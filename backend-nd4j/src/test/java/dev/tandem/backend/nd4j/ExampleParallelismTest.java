package dev.tandem.backend.nd4j;

import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExampleParallelismTest {

    /**
     * The backend keeps per-thread buffers in thread-locals ({@link Scratch}, {@link OneDnnConv}'s arrays); a worker
     * that lost them between calls would allocate every buffer afresh on every call (the common pool's workers do,
     * since JDK 17).
     */
    @Test
    void workersKeepTheirThreadLocalsAcrossCalls() {
        ExampleParallelism parallel = new ExampleParallelism(2);
        AtomicInteger created = new AtomicInteger();
        ThreadLocal<Object> perThread = ThreadLocal.withInitial(() -> {
            created.incrementAndGet();
            return new Object();
        });
        Set<Object> seen = ConcurrentHashMap.newKeySet();
        Set<String> threads = ConcurrentHashMap.newKeySet();
        for (int call = 0; call < 50; call++) {
            int ranges = parallel.forRanges(8, (from, to, worker) -> {
                seen.add(perThread.get());
                threads.add(Thread.currentThread().getName());
                spin();
            });
            assertEquals(2, ranges);
        }
        assertEquals(threads.size(), seen.size(), "one value per thread, kept over 50 calls; threads " + threads);
        assertEquals(threads.size(), created.get());
        assertTrue(threads.size() <= 2, "the caller and at most one worker: " + threads);
    }

    @Test
    void everyRangeRunsOnceAndFailuresReachTheCaller() {
        ExampleParallelism parallel = new ExampleParallelism(3);
        int[] hits = new int[10];
        parallel.forRanges(10, (from, to, worker) -> {
            for (int i = from; i < to; i++) {
                hits[i]++;
            }
        });
        for (int h : hits) {
            assertEquals(1, h);
        }
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> parallel.forRanges(10, (from, to, worker) -> {
                    if (worker == 2) {
                        throw new IllegalStateException("worker 2 failed");
                    }
                }));
        // ForkJoinTask.join rethrows a worker's exception as a copy of its type, the original as its cause
        assertTrue(e.getMessage().contains("worker 2 failed"), e.getMessage());
    }

    private static void spin() {
        long end = System.nanoTime() + 200_000;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }
}
