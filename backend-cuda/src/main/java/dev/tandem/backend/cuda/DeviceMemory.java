package dev.tandem.backend.cuda;

import jcuda.driver.CUdeviceptr;

import java.lang.ref.Cleaner;

/**
 * One device allocation, shared by a tensor and its reshaped views. When the last of them becomes unreachable the
 * {@link Cleaner} hands the block back to the {@link DevicePool} (no driver call on the cleaner thread; the pool
 * reuses it, and work still queued on the stream that used it runs before any later use).
 */
final class DeviceMemory {
    private static final Cleaner CLEANER = Cleaner.create();

    private final CUdeviceptr ptr;
    private final long bytes;

    DeviceMemory(DevicePool pool, CUdeviceptr ptr, long bytes, long blockBytes) {
        this.ptr = ptr;
        this.bytes = bytes;
        CLEANER.register(this, new Release(pool, ptr, blockBytes));
    }

    CUdeviceptr ptr() {
        return ptr;
    }

    long bytes() {
        return bytes;
    }

    /** The cleaner's action; holds no reference to the DeviceMemory. */
    private record Release(DevicePool pool, CUdeviceptr ptr, long blockBytes) implements Runnable {
        @Override
        public void run() {
            pool.release(ptr, blockBytes);
        }
    }
}
