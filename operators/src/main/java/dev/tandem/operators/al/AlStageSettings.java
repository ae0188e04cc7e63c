package dev.tandem.operators.al;

import dev.tandem.learning.al.AlArchitecture;
import dev.tandem.learning.optim.TrainingGuard;
import dev.tandem.learning.tensor.DType;

import java.io.Serializable;

/**
 * What every AL stage of one pipeline shares (configuration, not state): how to build a key's architecture, its
 * depth L (one stage per component), the compute backend and dtype, the model seed (component l's weights derive
 * from it and l, so a stage builds exactly the weights the single-process model would), the optimizers, how often
 * a stage publishes its decoder h_l ({@code snapshotEvery} updates; 0: never, the decoder operator then keeps the
 * initial decoders), and an optional profile name under which stages record their busy intervals
 * ({@link StageTimeline}, for tests and {@code bench w6}; null in production), and the numerical guard of every
 * stage's steps ({@code training.*}).
 */
public record AlStageSettings(AlArchitectureFactory architecture, int depth, String backend, DType dtype, long seed,
                              AlOptimizerSettings optimizers, int snapshotEvery, String profile, TrainingGuard guard)
        implements Serializable {

    /** Settings with the default numerical guard (clipping off). */
    public AlStageSettings(AlArchitectureFactory architecture, int depth, String backend, DType dtype, long seed,
                           AlOptimizerSettings optimizers, int snapshotEvery, String profile) {
        this(architecture, depth, backend, dtype, seed, optimizers, snapshotEvery, profile, TrainingGuard.DEFAULT);
    }

    public AlStageSettings {
        if (guard == null) {
            guard = TrainingGuard.DEFAULT;
        }
        if (architecture == null || optimizers == null || dtype == null || backend == null) {
            throw new IllegalArgumentException("AL stage settings need an architecture, optimizers, a backend and a dtype");
        }
        if (depth < 1) {
            throw new IllegalArgumentException("gearbox.al.components = " + depth + "; allowed: >= 1");
        }
        if (snapshotEvery < 0) {
            throw new IllegalArgumentException("gearbox.al.snapshot-every = " + snapshotEvery + "; allowed: >= 0");
        }
    }

    /** The architecture of a key whose examples have this per-example shape; its depth must be L. */
    public AlArchitecture architecture(int[] inputShape) {
        AlArchitecture a = architecture.build(inputShape);
        if (a.depth() != depth) {
            throw new IllegalStateException("the architecture has " + a.depth() + " components, the pipeline " + depth
                    + " stages");
        }
        return a;
    }

    public AlStageSettings withProfile(String name) {
        return new AlStageSettings(architecture, depth, backend, dtype, seed, optimizers, snapshotEvery, name, guard);
    }

    /** The same settings with another numerical guard ({@code training.*}). */
    public AlStageSettings withGuard(TrainingGuard next) {
        return new AlStageSettings(architecture, depth, backend, dtype, seed, optimizers, snapshotEvery, profile, next);
    }
}
