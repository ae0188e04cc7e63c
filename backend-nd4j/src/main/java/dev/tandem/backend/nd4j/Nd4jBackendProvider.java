package dev.tandem.backend.nd4j;

import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.BackendProvider;

/**
 * ServiceLoader entry of the ND4J backend ({@code compute.backend = nd4j}). Priority 10: above the plain-Java
 * reference, below a GPU backend. The constructor touches nothing native; {@link #probe()} loads ND4J once (after
 * capping its off-heap memory, see {@link Nd4jRuntime}) and never throws.
 */
public final class Nd4jBackendProvider implements BackendProvider {
    public static final int PRIORITY = 10;

    @Override
    public String name() {
        return Nd4jBackend.NAME;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public Availability probe() {
        try {
            Nd4jRuntime.Status s = Nd4jRuntime.load();
            return s.usable() ? Availability.yes(s.reason()) : Availability.no(s.reason());
        } catch (LinkageError | Exception e) {
            return Availability.no("ND4J failed to load: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    @Override
    public Backend create() {
        return new Nd4jBackend();
    }
}
