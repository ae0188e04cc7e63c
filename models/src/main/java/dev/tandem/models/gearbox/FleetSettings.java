package dev.tandem.models.gearbox;

import dev.tandem.learning.optim.Optimizer;
import dev.tandem.learning.optim.Optimizers;
import dev.tandem.learning.optim.TrainingGuard;

import java.io.Serializable;
import java.util.List;

/**
 * How a fleet learns (configuration {@code gearbox.*}, {@code compute.backend}): the class names (index = model
 * output), the mini-batch size, the optimizer (any of {@link Optimizers#NAMES}) with its learning rate and momentum,
 * the model seed, whether windows are normalised per channel (mean 0, standard deviation 1), the backend,
 * whether windows that carry the shaft speed are order-tracked ({@link OrderTracking}) to the fleet's reference speed,
 * and the numerical guard of the training steps ({@code training.*}: gradient clipping, faults in a row before a
 * report).
 */
public record FleetSettings(List<String> classes, int batch, String optimizer, double learningRate, double momentum,
                            long seed, boolean normalize, String backend, boolean orderTracking, TrainingGuard guard)
        implements Serializable {

    /** Settings without order tracking (the default: on CWRU it costs shift accuracy, docs/GEARBOX.md). */
    public FleetSettings(List<String> classes, int batch, String optimizer, double learningRate, double momentum,
                         long seed, boolean normalize, String backend) {
        this(classes, batch, optimizer, learningRate, momentum, seed, normalize, backend, false);
    }

    /** Settings with the default guard (clipping off). */
    public FleetSettings(List<String> classes, int batch, String optimizer, double learningRate, double momentum,
                         long seed, boolean normalize, String backend, boolean orderTracking) {
        this(classes, batch, optimizer, learningRate, momentum, seed, normalize, backend, orderTracking,
                TrainingGuard.DEFAULT);
    }

    public FleetSettings {
        classes = List.copyOf(classes);
        if (guard == null) {
            guard = TrainingGuard.DEFAULT;
        }
        if (classes.size() < 2) {
            throw new IllegalArgumentException("gearbox.classes needs at least 2 classes, got " + classes);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("gearbox.batch = " + batch + " is out of range; allowed: >= 1");
        }
        Optimizers.require(optimizer, "gearbox.optimizer");
        Optimizers.Spec.of(optimizer, learningRate, momentum, seed).build(); // fails now on an invalid hyper-parameter
    }

    public FleetSettings withOrderTracking(boolean on) {
        return new FleetSettings(classes, batch, optimizer, learningRate, momentum, seed, normalize, backend, on, guard);
    }

    public Optimizer buildOptimizer() {
        return Optimizers.Spec.of(optimizer, learningRate, momentum, seed).build();
    }

    public FleetSettings withLearningRate(double lr) {
        return new FleetSettings(classes, batch, optimizer, lr, momentum, seed, normalize, backend, orderTracking, guard);
    }

    /** The same settings with another numerical guard. */
    public FleetSettings withGuard(TrainingGuard next) {
        return new FleetSettings(classes, batch, optimizer, learningRate, momentum, seed, normalize, backend,
                orderTracking, next);
    }
}
