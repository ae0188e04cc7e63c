package dev.tandem.learning.nets;

import dev.tandem.learning.nn.ActivationLayer;
import dev.tandem.learning.nn.BatchNorm;
import dev.tandem.learning.nn.Conv2d;
import dev.tandem.learning.nn.Dense;
import dev.tandem.learning.nn.Dropout;
import dev.tandem.learning.nn.Flatten;
import dev.tandem.learning.nn.LayerSpec;
import dev.tandem.learning.nn.MaxPool;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.DType;

import java.util.List;

/**
 * The image-recognition toolkit CNN of ALGORITHMS.md §6 (DESIGN): 1,663,436 trainable parameters on 1×28×28.
 * <pre>
 * BN(1) → conv 5×5, 32, same, ReLU → maxpool 2 → BN(32) → conv 5×5, 64, same, ReLU → maxpool 2
 * → flatten 3136 → dropout 0.5 → FC 512, ReLU → dropout 0.5 → FC 10   (softmax folded into the loss)
 * </pre>
 */
public final class ToolkitCnn {
    public static final long PARAMETERS = 1_663_436L;
    public static final int[] INPUT = {1, 28, 28};

    private ToolkitCnn() {
    }

    public static List<LayerSpec> specs(int classes) {
        return List.of(
                BatchNorm.Spec.defaults(),
                Conv2d.Spec.same(32, 5),
                ActivationLayer.relu(),
                MaxPool.Spec.square(2),
                BatchNorm.Spec.defaults(),
                Conv2d.Spec.same(64, 5),
                ActivationLayer.relu(),
                MaxPool.Spec.square(2),
                new Flatten.Spec(),
                new Dropout.Spec(0.5),
                new Dense.Spec(512),
                ActivationLayer.relu(),
                new Dropout.Spec(0.5),
                new Dense.Spec(classes));
    }

    public static Sequential build(Backend backend, DType dtype, long seed) {
        return new Sequential(backend, dtype, INPUT, specs(10), seed);
    }
}
