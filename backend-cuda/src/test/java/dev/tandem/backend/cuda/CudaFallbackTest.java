package dev.tandem.backend.cuda;

import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.BackendProvider;
import dev.tandem.learning.tensor.Backends;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The fallback on a machine without a GPU (skipped where CUDA is usable): the provider is found, says why it cannot
 * run and never throws (JCuda's UnsatisfiedLinkError, and the NoClassDefFoundError of every later call, stay
 * inside); auto takes a CPU backend and says why; asking for cuda fails with a message naming compute.backend.
 */
class CudaFallbackTest {
    private static final CudaRuntime.Status STATUS = CudaRuntime.open();

    @Test
    void theProviderSaysWhyCudaCannotRunAndNeverThrows() {
        assumeFalse(STATUS.usable(), "CUDA is usable here");
        CudaBackendProvider p = new CudaBackendProvider();
        for (int i = 0; i < 3; i++) { // later calls must not surface JCuda's NoClassDefFoundError either
            BackendProvider.Availability a = p.probe();
            assertFalse(a.usable());
            assertTrue(a.reason().contains("driver") || a.reason().contains("GPU"), a.reason());
        }
        assertEquals("cuda", p.name());
        assertTrue(p.priority() > 10, "above nd4j");
    }

    @Test
    void autoPicksACpuBackendAndSaysWhyNotCuda() {
        assumeFalse(STATUS.usable(), "CUDA is usable here");
        Backends.Choice c = Backends.choose("auto");
        assertNotEquals("cuda", c.backend().name());
        assertTrue(c.reason().contains("cuda unusable: "), c.reason());
        Backends.Candidate cuda = c.candidates().stream().filter(x -> x.name().equals("cuda")).findFirst().orElseThrow();
        assertFalse(cuda.usable());
        assertEquals(STATUS.reason(), cuda.reason());
    }

    @Test
    void askingForCudaFailsNamingTheSetting() {
        assumeFalse(STATUS.usable(), "CUDA is usable here");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.choose("cuda"));
        assertTrue(e.getMessage().startsWith("compute.backend = cuda is not usable here: "), e.getMessage());
        assertTrue(e.getMessage().contains(STATUS.reason()), e.getMessage());
        assertTrue(e.getMessage().contains("auto"), "names the allowed values: " + e.getMessage());
        IllegalStateException direct = assertThrows(IllegalStateException.class, CudaBackend::create);
        assertTrue(direct.getMessage().contains(STATUS.reason()), direct.getMessage());
    }

    @Test
    void theMemoryLimitSettingIsParsedOrRejectedNamingItsKey() {
        long gib = 1L << 30;
        assertEquals(8 * gib, CudaSettings.parseMemoryLimit("80%", 10 * gib));
        assertEquals(6 * gib, CudaSettings.parseMemoryLimit("6g", 10 * gib));
        assertEquals(512L << 20, CudaSettings.parseMemoryLimit("512M", 10 * gib));
        assertEquals(1000, CudaSettings.parseMemoryLimit("1000", 10 * gib));
        for (String bad : new String[] {"0", "-1g", "150%", "lots", "", "6x"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> CudaSettings.parseMemoryLimit(bad, 10 * gib), bad);
            assertTrue(e.getMessage().startsWith(CudaSettings.MEMORY_LIMIT + " = '"), e.getMessage());
            assertTrue(e.getMessage().contains("allowed"), e.getMessage());
        }
    }

    @Test
    void poolBlocksRoundSoThatSimilarSizesShare() {
        assertEquals(256, DevicePool.blockSize(1));
        assertEquals(1024, DevicePool.blockSize(1000));
        assertEquals(1024, DevicePool.blockSize(1024));
        assertEquals(1L << 20, DevicePool.blockSize((1L << 20) - 5));
        assertEquals(3L << 20, DevicePool.blockSize((2L << 20) + 1));
    }

    @Test
    void everyFusedKernelIsACudaKernelNotADefault() throws Exception {
        // a default built from the core would work, but in several launches and with temporaries
        for (java.lang.reflect.Method m : Backend.class.getDeclaredMethods()) {
            if (m.isDefault() && !m.getName().equals("close")) {
                java.lang.reflect.Method impl = CudaBackend.class.getMethod(m.getName(), m.getParameterTypes());
                assertEquals(CudaBackend.class, impl.getDeclaringClass(), m.getName() + " is not overridden");
            }
        }
    }
}
