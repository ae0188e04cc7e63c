package dev.tandem.backend.nd4j;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;

/**
 * Splits a batch into contiguous example ranges and runs them on the calling thread plus ForkJoin workers.
 *
 * <p>Why Tandem parallelises across examples itself instead of letting OpenBLAS thread each product: OpenBLAS's
 * worker threads spin for a while after every call, and on a 2-core machine they then fight the Java thread that
 * prepares the next product (im2col, scatter, col2im). With OpenBLAS single-threaded and one example range per core,
 * every part of a convolution runs in parallel and nothing spins. Workers: system property
 * {@code tandem.nd4j.threads}, default the available processors (capped at 16).
 *
 * <p>The ranges run on a pool of Tandem's own, not on {@link ForkJoinPool#commonPool()}: since JDK 17 the common
 * pool's workers erase their thread-locals after every task, so the per-thread buffers of the backend
 * ({@link Scratch}, the native arrays of {@link OneDnnConv}) were allocated afresh on every call of every worker but
 * the caller — measured on W2 at batch 8, 123 native arrays per step, the step 1.9× slower once the freed memory
 * stopped being reused (page faults took a third of the time).
 */
final class ExampleParallelism {
    /** One range of examples [from, to) on worker index {@code worker} (0 = the calling thread). */
    @FunctionalInterface
    interface RangeTask {
        void run(int from, int to, int worker);
    }

    /** One pool per worker count, shared by every backend of that count; its threads are daemons. */
    private static final Map<Integer, ForkJoinPool> POOLS = new ConcurrentHashMap<>();

    private final int workers;
    private float[][] partials = new float[0][];

    ExampleParallelism(int workers) {
        this.workers = Math.max(1, workers);
    }

    static int defaultWorkers() {
        String p = System.getProperty("tandem.nd4j.threads");
        if (p != null) {
            try {
                int v = Integer.parseInt(p.trim());
                if (v >= 1) {
                    return v;
                }
            } catch (NumberFormatException ignored) {
                // fall through to the default, as documented
            }
            throw new IllegalArgumentException("tandem.nd4j.threads = " + p + "; allowed: an integer >= 1");
        }
        return Math.min(16, Runtime.getRuntime().availableProcessors());
    }

    int workers() {
        return workers;
    }

    /** Per-worker scratch arrays of at least n floats (index 0 unused: worker 0 writes the caller's array). */
    synchronized float[][] partials(int n) {
        if (partials.length < workers || partials.length > 1 && partials[1].length < n) {
            partials = new float[workers][];
            for (int i = 1; i < workers; i++) {
                partials[i] = new float[n];
            }
        }
        return partials;
    }

    /** Runs the task over [0, n) split into at most {@link #workers} ranges; returns how many ranges ran. */
    int forRanges(int n, RangeTask task) {
        int parts = Math.min(workers, n);
        if (parts <= 1) {
            task.run(0, n, 0);
            return 1;
        }
        RecursiveAction[] others = new RecursiveAction[parts - 1];
        for (int k = 1; k < parts; k++) {
            int from = (int) ((long) n * k / parts);
            int to = (int) ((long) n * (k + 1) / parts);
            int worker = k;
            others[k - 1] = new RecursiveAction() {
                @Override
                protected void compute() {
                    task.run(from, to, worker);
                }
            };
        }
        ForkJoinPool pool = POOLS.computeIfAbsent(workers, ExampleParallelism::newPool);
        for (RecursiveAction a : others) {
            pool.execute(a);
        }
        RuntimeException failure = null;
        try {
            task.run(0, (int) ((long) n / parts), 0);
        } catch (RuntimeException e) {
            failure = e;
        }
        for (RecursiveAction a : others) {
            try {
                a.join();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        return parts;
    }

    private static ForkJoinPool newPool(int workers) {
        return new ForkJoinPool(Math.max(1, workers - 1), pool -> {
            // the public constructor keeps thread-locals across tasks (the common pool's workers do not)
            ForkJoinWorkerThread t = new ForkJoinWorkerThread(pool) {
            };
            t.setName("tandem-nd4j-worker-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        }, null, false);
    }
}
