package dev.tandem.learning.conformance;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.tensor.Backend;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The conformance kit on the Java backends: the reference itself (a sanity check of the kit: every case must be
 * deterministic) and {@link CoreOnlyBackend}, the reference's core with every fused kernel from the SPI defaults.
 */
class JavaBackendConformanceTest extends BackendConformanceKit {

    @Override
    protected Map<String, Backend> backends() {
        Map<String, Backend> m = new LinkedHashMap<>();
        m.put("java", new JavaBackend());
        m.put("java core + SPI defaults", new CoreOnlyBackend());
        return m;
    }

    @Test
    void theCoreOnlyBackendImplementsEveryAbstractMethodAndNoDefault() {
        Set<String> abstractOnes = new TreeSet<>();
        Set<String> defaults = new TreeSet<>();
        for (Method m : Backend.class.getDeclaredMethods()) {
            if (m.isSynthetic() || Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            (m.isDefault() ? defaults : abstractOnes).add(m.getName() + java.util.Arrays.toString(m.getParameterTypes()));
        }
        Set<String> declared = new TreeSet<>();
        for (Method m : CoreOnlyBackend.class.getDeclaredMethods()) {
            if (!m.isSynthetic() && Modifier.isPublic(m.getModifiers())) {
                declared.add(m.getName() + java.util.Arrays.toString(m.getParameterTypes()));
            }
        }
        assertEquals(abstractOnes, declared, "CoreOnlyBackend must implement exactly the core (regenerate it)");
        assertTrue(defaults.size() >= 15, "fused defaults: " + defaults);
    }

    @Test
    void theCoreIsSmallerThanTheFusedPart() {
        long core = java.util.Arrays.stream(Backend.class.getDeclaredMethods())
                .filter(m -> !m.isDefault() && !m.isSynthetic()).count();
        assertTrue(core <= 32, "core methods: " + core);
    }
}
