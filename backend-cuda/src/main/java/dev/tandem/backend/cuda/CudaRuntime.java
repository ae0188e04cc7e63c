package dev.tandem.backend.cuda;

import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;

/**
 * The CUDA side of the process, opened once: the driver (through JCuda's driver API only: {@code libcuda.so.1}),
 * one device, its primary context (one per process, shared by every backend instance and so by every operator of a
 * TaskManager), the kernels' PTX module (loaded with {@code cuModuleLoadData}, JIT-compiled by the driver for the
 * GPU at hand) and the device memory pool. Every call into the driver runs under one lock with the context current
 * on the calling thread; kernels go to the legacy default stream, so they run in the order they were issued and a
 * copy to the host waits for the work before it.
 *
 * <p>{@link #open()} never throws: without a driver JCuda's first call throws {@code UnsatisfiedLinkError} (and
 * every later one {@code NoClassDefFoundError}), which is caught here as a {@link LinkageError} and turned into the
 * reason {@code tandem info} prints.
 */
final class CudaRuntime {
    static final String PTX = "/dev/tandem/backend/cuda/tandem.ptx";

    /** Result of opening: usable or not, why, and the runtime when usable. */
    record Status(boolean usable, String reason, CudaRuntime runtime) {
    }

    private static volatile Status status;

    private final ReentrantLock lock = new ReentrantLock();
    private final ThreadLocal<Boolean> current = ThreadLocal.withInitial(() -> false);
    private final CUcontext context;
    private final CUmodule module;
    private final Map<String, CUfunction> functions = new ConcurrentHashMap<>();
    private final DevicePool pool;
    private final String description;
    private final KernelSignatures signatures;

    private CudaRuntime(CUcontext context, CUmodule module, DevicePool pool, String description) {
        this.context = context;
        this.module = module;
        this.signatures = KernelSignatures.parse(new String(ptx(), StandardCharsets.US_ASCII));
        this.pool = pool;
        this.description = description;
    }

    /** Opens CUDA (first call only) and reports; never throws. */
    static Status open() {
        Status s = status;
        if (s == null) {
            synchronized (CudaRuntime.class) {
                s = status;
                if (s == null) {
                    s = doOpen();
                    status = s;
                }
            }
        }
        return s;
    }

    /** The runtime, or IllegalStateException with the reason CUDA cannot run here. */
    static CudaRuntime require() {
        Status s = open();
        if (!s.usable()) {
            throw new IllegalStateException("CUDA is not usable here: " + s.reason());
        }
        return s.runtime();
    }

    private static Status doOpen() {
        int ordinal;
        try {
            ordinal = CudaSettings.device();
            CudaSettings.memoryLimit(1L << 30); // validates the setting before touching the driver
        } catch (IllegalArgumentException e) {
            return new Status(false, e.getMessage(), null);
        }
        try {
            JCudaDriver.setExceptionsEnabled(true);
            cuInit(0);
            int[] count = new int[1];
            cuDeviceGetCount(count);
            if (count[0] == 0) {
                return new Status(false, "the CUDA driver is present but sees no GPU (CUDA_VISIBLE_DEVICES?)", null);
            }
            if (ordinal >= count[0]) {
                return new Status(false, CudaSettings.DEVICE + " = " + ordinal + " but the driver sees " + count[0]
                        + " device(s)", null);
            }
            CUdevice device = new CUdevice();
            cuDeviceGet(device, ordinal);
            byte[] name = new byte[256];
            cuDeviceGetName(name, name.length, device);
            long[] total = new long[1];
            cuDeviceTotalMem(total, device);
            int[] major = new int[1];
            int[] minor = new int[1];
            cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device);
            cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device);
            int[] sms = new int[1];
            int[] clockKHz = new int[1];
            cuDeviceGetAttribute(sms, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, device);
            cuDeviceGetAttribute(clockKHz, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_CLOCK_RATE, device);
            int[] driver = new int[1];
            cuDriverGetVersion(driver);
            CUcontext context = new CUcontext();
            cuDevicePrimaryCtxRetain(context, device);
            cuCtxSetCurrent(context);
            CUmodule module = new CUmodule();
            try {
                cuModuleLoadData(module, ptx());
            } catch (RuntimeException e) {
                return new Status(false, "the driver (CUDA " + driver[0] / 1000 + "." + driver[0] % 1000 / 10
                        + ") could not load Tandem's PTX (ISA 9.0 from nvcc 13; needs driver R580 or newer): "
                        + e.getMessage(), null);
            }
            long limit = CudaSettings.memoryLimit(total[0]);
            String deviceName = new String(name, StandardCharsets.US_ASCII).trim().replace("\0", "");
            String description = deviceName + ", compute " + major[0] + "." + minor[0] + ", " + (total[0] >> 20)
                    + " MiB (limit " + (limit >> 20) + " MiB, " + CudaSettings.MEMORY_LIMIT + "), driver CUDA "
                    + driver[0] / 1000 + "." + driver[0] % 1000 / 10;
            CudaRuntime rt = new CudaRuntime(context, module, new DevicePool(limit), description);
            rt.peakFp32Gflops = fp32PeakGflops(major[0], minor[0], sms[0], clockKHz[0]);
            rt.current.set(true);
            return new Status(true, description, rt);
        } catch (LinkageError e) {
            return new Status(false, driverMissing(e), null);
        } catch (RuntimeException e) {
            return new Status(false, "CUDA failed to start: " + e.getClass().getSimpleName() + ": " + firstLine(e),
                    null);
        }
    }

    /** Why JCuda's native part did not load, in one line (its message holds whole nested stack traces). */
    static String driverMissing(LinkageError e) {
        String m = String.valueOf(e.getMessage());
        for (String line : m.split("\n")) {
            int at = line.indexOf("libcuda.so");
            if (at >= 0) {
                return "no CUDA driver here (" + line.substring(at).trim() + "): a machine without an NVIDIA GPU "
                        + "and driver";
            }
        }
        return "no CUDA driver here (" + e.getClass().getSimpleName() + ": " + firstLine(e) + ")";
    }

    private static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /** The committed PTX, NUL-terminated as cuModuleLoadData wants it. */
    static byte[] ptx() {
        try (InputStream in = CudaRuntime.class.getResourceAsStream(PTX)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + PTX);
            }
            byte[] text = in.readAllBytes();
            byte[] z = new byte[text.length + 1];
            System.arraycopy(text, 0, z, 0, text.length);
            return z;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + PTX, e);
        }
    }

    private double peakFp32Gflops;

    /**
     * The device's FP32 peak without tensor cores: multiprocessors × FP32 lanes per multiprocessor × 2 (a fused
     * multiply-add) × the boost clock. Lanes: 64 on compute 7.x and 8.0, 128 on 8.6 and later (Hopper, Blackwell).
     */
    static double fp32PeakGflops(int major, int minor, int sms, int clockKHz) {
        int lanes = major < 8 || (major == 8 && minor == 0) ? 64 : 128;
        return (double) sms * lanes * 2 * clockKHz / 1e6;
    }

    double peakFp32Gflops() {
        return peakFp32Gflops;
    }

    String description() {
        return description;
    }

    DevicePool pool() {
        return pool;
    }

    /** Runs driver calls under the process lock with the context current on this thread. */
    <R> R locked(Supplier<R> body) {
        lock.lock();
        try {
            if (!current.get()) {
                cuCtxSetCurrent(context);
                current.set(true);
            }
            return body.get();
        } finally {
            lock.unlock();
        }
    }

    void locked(Runnable body) {
        locked(() -> {
            body.run();
            return null;
        });
    }

    CUfunction function(String name) {
        return functions.computeIfAbsent(name, n -> {
            CUfunction f = new CUfunction();
            cuModuleGetFunction(f, module, n);
            return f;
        });
    }

    /** Launches a kernel on the default stream after checking its arguments; the caller holds the lock. */
    void launch(String name, int gridX, int gridY, int blockX, CudaBackend.Args args) {
        signatures.check(name, args.types());
        Pointer params = Pointer.to(args.list().toArray(new Pointer[0]));
        cuLaunchKernel(function(name), gridX, gridY, 1, blockX, 1, 1, 0, null, params, null);
    }
}
