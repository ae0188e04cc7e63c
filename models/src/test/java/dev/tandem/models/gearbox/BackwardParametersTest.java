package dev.tandem.models.gearbox;

import dev.tandem.learning.nn.ActivationLayer;
import dev.tandem.learning.nn.Conv2d;
import dev.tandem.learning.nn.Dense;
import dev.tandem.learning.nn.Flatten;
import dev.tandem.learning.nn.Pass;
import dev.tandem.learning.nn.Sequential;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;
import dev.tandem.learning.testing.GradientCheck;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Backpropagating for the parameters only writes exactly the parameter gradients of the full backward pass. */
class BackwardParametersTest {
    private static final JavaBackend BACKEND = new JavaBackend();

    private static void assertSameParameterGradients(Sequential model, Tensor x) {
        Tensor y = model.forward(x, Pass.training(3));
        Tensor dy = BACKEND.fromHost(GradientCheck.random(y.size(), 7), y.shape());
        model.backward(dy);
        double[][] full = new double[model.params().size()][];
        for (int i = 0; i < full.length; i++) {
            full[i] = model.params().get(i).grad().toDoubleArray();
            BACKEND.fill(model.params().get(i).grad(), 0);
        }
        model.forward(x, Pass.training(3));
        model.backwardParameters(dy);
        for (int i = 0; i < full.length; i++) {
            assertArrayEquals(full[i], model.params().get(i).grad().toDoubleArray(), 0.0,
                    "parameter " + i + " (" + model.params().get(i).name() + ")");
        }
    }

    @Test
    void gearboxNetworkFirstConvolutionSkipsOnlyItsInputGradient() {
        Sequential m = GearboxCnn.build(new GearboxCnn.Shape(3, 8, 4, new int[] {4, 3}, 3, 5), BACKEND, DType.FLOAT64,
                2, 96, 3, 13);
        assertSameParameterGradients(m, BACKEND.fromHost(GradientCheck.random(4 * 2 * 96, 8), 4, 2, 96));
    }

    @Test
    void parameterlessLeadingLayersAreSkippedAndDenseAndConv2dAgree() {
        Sequential dense = new Sequential(BACKEND, DType.FLOAT64, new int[] {2, 3}, List.of(new Flatten.Spec(),
                ActivationLayer.relu(), new Dense.Spec(4), ActivationLayer.relu(), new Dense.Spec(3)), 5);
        assertSameParameterGradients(dense, BACKEND.fromHost(GradientCheck.random(5 * 6, 2), 5, 2, 3));
        Sequential conv = new Sequential(BACKEND, DType.FLOAT64, new int[] {1, 6, 6}, List.of(Conv2d.Spec.same(2, 3),
                ActivationLayer.relu(), new Flatten.Spec(), new Dense.Spec(3)), 5);
        assertSameParameterGradients(conv, BACKEND.fromHost(GradientCheck.random(3 * 36, 4), 3, 1, 6, 6));
    }
}
