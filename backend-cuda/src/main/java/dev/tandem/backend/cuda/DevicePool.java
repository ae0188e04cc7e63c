package dev.tandem.backend.cuda;

import jcuda.driver.CUdeviceptr;
import jcuda.CudaException;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;

/**
 * The process's device memory: blocks from {@code cuMemAlloc}, kept for reuse when their tensors are collected
 * (training allocates the same shapes every step, and {@code cuMemFree} synchronises the device), within the cap
 * of {@link CudaSettings#MEMORY_LIMIT}. Block sizes are rounded (powers of two up to 1 MiB, then whole MiB) so that
 * similar sizes share blocks. Callers hold {@link CudaRuntime}'s lock; {@link #release} may come from the cleaner
 * thread at any time.
 */
final class DevicePool {
    private static final long MIB = 1L << 20;

    private final long limit;
    private final Map<Long, ArrayDeque<CUdeviceptr>> free = new HashMap<>();
    private long held;
    private long pooled;

    DevicePool(long limit) {
        this.limit = limit;
    }

    static long blockSize(long bytes) {
        long b = Math.max(bytes, 256);
        if (b <= MIB) {
            return Long.highestOneBit(b - 1) << 1;
        }
        return (b + MIB - 1) / MIB * MIB;
    }

    /** A device block of at least {@code bytes}; frees pooled blocks and collects garbage before failing. */
    DeviceMemory allocate(long bytes) {
        long block = blockSize(bytes);
        CUdeviceptr p = reuse(block);
        if (p == null) {
            p = fresh(block);
        }
        return new DeviceMemory(this, p, bytes, block);
    }

    private synchronized CUdeviceptr reuse(long block) {
        ArrayDeque<CUdeviceptr> q = free.get(block);
        if (q == null || q.isEmpty()) {
            return null;
        }
        pooled -= block;
        return q.pop();
    }

    private CUdeviceptr fresh(long block) {
        for (int attempt = 0; ; attempt++) {
            synchronized (this) {
                if (held - pooled + block > limit && pooled > 0) {
                    trim();
                }
                if (held + block <= limit) {
                    CUdeviceptr p = new CUdeviceptr();
                    try {
                        cuMemAlloc(p, block);
                        held += block;
                        return p;
                    } catch (CudaException e) {
                        if (attempt >= 3) {
                            throw new IllegalStateException("CUDA could not allocate " + block + " bytes of device "
                                    + "memory (" + e.getMessage() + "); this process holds " + held + " bytes, "
                                    + CudaSettings.MEMORY_LIMIT + " = " + limit, e);
                        }
                        trim();
                    }
                } else if (attempt >= 3) {
                    throw new IllegalStateException("device memory limit reached: " + CudaSettings.MEMORY_LIMIT + " = "
                            + limit + " bytes, " + (held - pooled) + " in live tensors, " + block + " more asked for; "
                            + "raise " + CudaSettings.MEMORY_LIMIT + " (or " + CudaSettings.ENV_MEMORY_LIMIT + ")");
                }
            }
            // tensors the program no longer reaches give their blocks back through the cleaner
            System.gc();
            try {
                Thread.sleep(20L << attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for device memory", e);
            }
        }
    }

    synchronized void release(CUdeviceptr p, long block) {
        free.computeIfAbsent(block, k -> new ArrayDeque<>()).push(p);
        pooled += block;
    }

    /** Returns every pooled block to the driver (the caller's thread has the context current). */
    synchronized void trim() {
        for (Map.Entry<Long, ArrayDeque<CUdeviceptr>> e : free.entrySet()) {
            for (CUdeviceptr p : e.getValue()) {
                cuMemFree(p);
                held -= e.getKey();
            }
        }
        free.clear();
        pooled = 0;
    }

    synchronized long heldBytes() {
        return held;
    }

    synchronized long pooledBytes() {
        return pooled;
    }

    long limit() {
        return limit;
    }
}
