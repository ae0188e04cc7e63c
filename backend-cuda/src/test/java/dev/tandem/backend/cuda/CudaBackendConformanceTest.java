package dev.tandem.backend.cuda;

import dev.tandem.learning.conformance.BackendConformanceKit;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The conformance kit on the CUDA backend. Where CUDA cannot run (no driver or no GPU) every case is reported as
 * skipped with the reason; {@code scripts/gpu-check} runs it on a GPU.
 */
class CudaBackendConformanceTest extends BackendConformanceKit {
    private static final CudaRuntime.Status STATUS = CudaRuntime.open();

    static {
        if (!STATUS.usable()) {
            System.err.println("CudaBackendConformanceTest: skipped, CUDA is not usable here: " + STATUS.reason());
        }
    }

    @Override
    protected String available() {
        return STATUS.usable() ? null : "CUDA is not usable here: " + STATUS.reason();
    }

    @Override
    protected Map<String, Backend> backends() {
        Map<String, Backend> m = new LinkedHashMap<>();
        m.put("cuda", CudaBackend.create());
        return m;
    }

    @Test
    void tensorsStayOnTheDeviceAndMixedPrecisionIsRefused() {
        assumeTrue(STATUS.usable(), () -> available());
        CudaBackend be = (CudaBackend) underTest().get("cuda");
        Tensor a = be.fromHost(new float[] {1, 2, 3, 4}, 2, 2);
        assertTrue(a instanceof CudaTensor);
        Tensor b = be.reshape(a, 4);
        be.fill(b, 7);
        assertEquals(28.0, be.sum(a)); // the view shares device memory
        Tensor d = be.zeros(DType.FLOAT64, 2, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> be.axpby(1, a, 1, d));
        assertTrue(e.getMessage().contains("one precision"), e.getMessage());
        assertTrue(be.deviceBytesHeld() > 0);
    }

    @Test
    void concurrentCallersShareTheContextSafely() throws Exception {
        assumeTrue(STATUS.usable(), () -> available());
        CudaBackend be = (CudaBackend) underTest().get("cuda");
        Thread[] threads = new Thread[4];
        Throwable[] failure = new Throwable[1];
        for (int t = 0; t < threads.length; t++) {
            int seed = t;
            threads[t] = new Thread(() -> {
                try {
                    for (int i = 0; i < 50; i++) {
                        Tensor x = be.zeros(DType.FLOAT32, 64, 64);
                        be.fill(x, seed + 1);
                        Tensor y = be.zeros(DType.FLOAT32, 64, 64);
                        be.gemm(false, false, 1, x, x, 0, y);
                        assertEquals(64.0 * 64 * 64 * (seed + 1) * (seed + 1), be.sum(y), 1e-2);
                    }
                } catch (Throwable e) {
                    synchronized (failure) {
                        failure[0] = e;
                    }
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failure[0] != null) {
            throw new AssertionError(failure[0]);
        }
    }
}
