package dev.tandem.backend.nd4j;

import dev.tandem.learning.tensor.BackendProvider;
import dev.tandem.learning.tensor.Backends;
import org.junit.jupiter.api.Test;

import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Nd4jBackendProviderTest {

    @Test
    void registeredThroughServiceLoader() {
        boolean found = false;
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            if (p instanceof Nd4jBackendProvider) {
                found = true;
                assertEquals("nd4j", p.name());
                assertEquals(10, p.priority());
            }
        }
        assertTrue(found, "Nd4jBackendProvider is not listed in META-INF/services");
    }

    @Test
    void probeNamesTheBackendAndBlas() {
        BackendProvider.Availability a = new Nd4jBackendProvider().probe();
        assertTrue(a.usable(), a.reason());
        assertTrue(a.reason().contains("ND4J 1.0.0-M2.1"), a.reason());
        assertTrue(a.reason().contains("nd4j-native"), a.reason());
        assertTrue(a.reason().contains("OpenBLAS"), a.reason());
        assertTrue(a.reason().matches(".*\\d+ example-parallel workers.*"), a.reason());
    }

    @Test
    void autoPicksNd4j() {
        Backends.Choice c = Backends.choose("auto");
        try {
            assertEquals("nd4j", c.backend().name(), c.reason());
            assertInstanceOf(Nd4jBackend.class, c.backend());
            assertTrue(c.reason().contains("nd4j"), c.reason());
            assertTrue(c.candidates().stream().anyMatch(k -> k.name().equals("nd4j") && k.usable()));
            assertTrue(c.candidates().stream().anyMatch(k -> k.name().equals("java") && k.usable()));
        } finally {
            c.backend().close();
        }
    }

    @Test
    void nd4jByName() {
        Backends.Choice c = Backends.choose("ND4J ");
        assertInstanceOf(Nd4jBackend.class, c.backend());
        c.backend().close();
        assertEquals("java", Backends.choose("java").backend().name());
    }

    @Test
    void unknownNameListsTheAllowedValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.choose("bogus"));
        assertTrue(e.getMessage().contains("bogus"), e.getMessage());
        for (String allowed : new String[] {"auto", "java", "nd4j", "cuda"}) {
            assertTrue(e.getMessage().contains(allowed), e.getMessage());
        }
    }

    @Test
    void memoryCapsAreSetBeforeNd4jLoads() {
        new Nd4jBackendProvider().probe();
        // surefire passes explicit caps (parent pom); without them, Nd4jRuntime sets its defaults
        assertTrue(System.getProperty(Nd4jRuntime.MAX_BYTES) != null);
        assertTrue(System.getProperty(Nd4jRuntime.MAX_PHYSICAL_BYTES) != null);
        assertTrue(org.bytedeco.javacpp.Pointer.maxBytes() > 0);
        assertTrue(org.bytedeco.javacpp.Pointer.maxPhysicalBytes() > org.bytedeco.javacpp.Pointer.maxBytes());
    }

    @Test
    void defaultPhysicalCapExceedsTheHeap() {
        long cap = Nd4jRuntime.defaultMaxPhysicalBytes();
        long heap = Runtime.getRuntime().maxMemory();
        assertTrue(cap == 0 || cap >= heap + (1L << 30), "cap " + cap + " heap " + heap);
        assertTrue(cap == 0 || cap >= 3L << 30);
    }
}
