package dev.tandem.operators.gearbox;

import dev.tandem.learning.optim.Adam;
import dev.tandem.learning.optim.Optimizer;
import dev.tandem.learning.optim.Sgd;

import java.io.Serializable;
import java.util.List;

/**
 * How the fleet trainer learns (configuration {@code gearbox.*}, {@code compute.backend}): the class names (index =
 * model output), the mini-batch size, the optimizer ({@code adam} or {@code sgd} with momentum) and its learning
 * rate, the model seed, whether windows are normalised per channel (mean 0, standard deviation 1), and the backend.
 */
public record TrainerSettings(List<String> classes, int batch, String optimizer, double learningRate, double momentum,
        long seed, boolean normalize, String backend) implements Serializable {

    public TrainerSettings {
        classes = List.copyOf(classes);
        if (classes.size() < 2) {
            throw new IllegalArgumentException("gearbox.classes needs at least 2 classes, got " + classes);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("gearbox.batch = " + batch + " is out of range; allowed: >= 1");
        }
        optimizer(optimizer, learningRate, momentum);
    }

    public Optimizer buildOptimizer() {
        return optimizer(optimizer, learningRate, momentum);
    }

    private static Optimizer optimizer(String name, double lr, double momentum) {
        return switch (name) {
            case "adam" -> new Adam(lr);
            case "sgd" -> new Sgd(lr, momentum);
            default -> throw new IllegalArgumentException("gearbox.optimizer = " + name + "; allowed: adam, sgd");
        };
    }
}
