package dev.tandem.learning.loss;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.tensor.Tensor;
import dev.tandem.learning.testing.GradientCheck;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LossGradientTest {
    private final JavaBackend backend = new JavaBackend();

    @Test
    void softmaxCrossEntropyGradient() {
        Tensor z = backend.fromHost(GradientCheck.random(12, 1), 3, 4);
        double[] t = {0, 1, 0, 0, 0.25, 0.25, 0.5, 0, 1, 0, 0, 0};
        Tensor target = backend.fromHost(t, 3, 4);
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
        loss.forward(z, target);
        double[] g = loss.backward().toDoubleArray();
        GradientCheck.checkScalar("logits", z, g, () -> new SoftmaxCrossEntropy().forward(z, target), 1e-7);
    }

    @Test
    void softmaxCrossEntropyValue() {
        Tensor z = backend.fromHost(new double[] {0, 0, Math.log(2)}, 1, 3);
        Tensor target = backend.fromHost(new double[] {0, 0, 1}, 1, 3);
        assertEquals(-Math.log(0.5), new SoftmaxCrossEntropy().forward(z, target), 1e-12);
    }

    @Test
    void softmaxCrossEntropyIsStableForHugeLogits() {
        Tensor z = backend.fromHost(new double[] {1000, -1000}, 1, 2);
        Tensor target = backend.fromHost(new double[] {0, 1}, 1, 2);
        assertEquals(2000, new SoftmaxCrossEntropy().forward(z, target), 1e-9);
    }

    @Test
    void meanSquaredErrorGradientAndValue() {
        Tensor y = backend.fromHost(GradientCheck.random(10, 2), 2, 5);
        Tensor t = backend.fromHost(GradientCheck.random(10, 3), 2, 5);
        MeanSquaredError mse = new MeanSquaredError();
        double v = mse.forward(y, t);
        double[] a = y.toDoubleArray();
        double[] b = t.toDoubleArray();
        double expect = 0;
        for (int i = 0; i < a.length; i++) {
            expect += (a[i] - b[i]) * (a[i] - b[i]) / a.length;
        }
        assertEquals(expect, v, 1e-14);
        double[] g = mse.backward().toDoubleArray();
        GradientCheck.checkScalar("output", y, g, () -> new MeanSquaredError().forward(y, t), 1e-7);
    }
}
