package dev.tandem.learning.backend;

import dev.tandem.learning.loss.MaskedMeanSquaredError;
import dev.tandem.learning.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class AxpbyTest {
    private final JavaBackend b = new JavaBackend();

    /** As in BLAS, beta = 0 means y is not read: a non-finite value left in y from an earlier step must not survive. */
    @Test
    void betaZeroOverwritesNonFiniteValuesInFloatAndDouble() {
        Tensor yf = b.fromHost(new float[] {Float.NaN, Float.POSITIVE_INFINITY, 1}, 3);
        b.axpby(2, b.fromHost(new float[] {1, 2, 3}, 3), 0, yf);
        assertArrayEquals(new float[] {2, 4, 6}, yf.toFloatArray());
        Tensor yd = b.fromHost(new double[] {Double.NaN, Double.NEGATIVE_INFINITY, 1}, 3);
        b.axpby(2, b.fromHost(new double[] {1, 2, 3}, 3), 0, yd);
        assertArrayEquals(new float[] {2, 4, 6}, yd.toFloatArray());
    }

    /** The masked loss's gradient after a step whose output was NaN is finite again on finite output. */
    @Test
    void maskedMseRecoversAfterANonFiniteStep() {
        MaskedMeanSquaredError loss = new MaskedMeanSquaredError();
        loss.forward(b.fromHost(new float[] {Float.NaN, 1}, 2), b.fromHost(new float[] {0, 0}, 2));
        loss.backward();
        loss.forward(b.fromHost(new float[] {1, 3}, 2), b.fromHost(new float[] {0, 0}, 2));
        assertArrayEquals(new float[] {1, 3}, loss.backward().toFloatArray());
    }
}
