package dev.tandem.backend.cuda;

import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.BackendProvider;

/**
 * ServiceLoader entry of the CUDA backend ({@code compute.backend = cuda}). Priority 20: above ND4J, so {@code auto}
 * takes the GPU where there is one. The constructor touches nothing native; {@link #probe()} opens CUDA once per
 * process ({@link CudaRuntime}) and never throws: no driver, no GPU or a PTX the driver cannot load make it say
 * why, and {@code auto} falls back to a CPU backend.
 */
public final class CudaBackendProvider implements BackendProvider {
    public static final int PRIORITY = 20;

    @Override
    public String name() {
        return CudaBackend.NAME;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public Availability probe() {
        try {
            CudaRuntime.Status s = CudaRuntime.open();
            return s.usable() ? Availability.yes(s.reason()) : Availability.no(s.reason());
        } catch (LinkageError | RuntimeException e) {
            return Availability.no("CUDA failed to load: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    @Override
    public Backend create() {
        return CudaBackend.create();
    }
}
