package dev.tandem.learning.nn;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.loss.MaskedMeanSquaredError;
import dev.tandem.learning.loss.MeanSquaredError;
import dev.tandem.learning.nets.ConvLstmForecaster;
import dev.tandem.learning.optim.OptimizerState;
import dev.tandem.learning.optim.SalpSgd;
import dev.tandem.learning.optim.Sgd;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;
import dev.tandem.learning.testing.GradientCheck;
import dev.tandem.learning.train.SupervisedObjective;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The peephole ConvLSTM encoder–forecaster (ALGORITHMS.md §2.1), in double on the Java reference backend. */
class ConvLstmTest {
    private static final JavaBackend BACKEND = new JavaBackend();

    /** Every parameter drawn from U(−scale, scale) (peepholes and biases included, so nothing is trivially 0). */
    private static void randomize(List<Param> params, long seed, double scale) {
        for (int i = 0; i < params.size(); i++) {
            Tensor v = params.get(i).value();
            double[] r = GradientCheck.random(v.size(), seed + 31L * i);
            for (int j = 0; j < r.length; j++) {
                r[j] *= scale;
            }
            BACKEND.copyFromHost(r, v);
        }
    }

    private static Tensor input(long seed, int... shape) {
        int n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        return BACKEND.fromHost(GradientCheck.random(n, seed), shape);
    }

    @Test
    void bpttGradientsOfATwoLayerModelMatchFiniteDifferences() {
        // 3 input frames, 2 forecast frames: 5 steps per layer, two layers (3x3 and 1x1 kernels), peepholes, 1x1 output
        ConvLstmSpec spec = new ConvLstmSpec(new int[] {3, 2}, new int[] {3, 1}, 2, 2);
        Layer layer = spec.build(BACKEND, DType.FLOAT64, new int[] {3, 2, 4, 3}, 5);
        randomize(layer.params(), 11, 0.6);
        GradientCheck.Result r = GradientCheck.check(layer, input(3, 2, 3, 2, 4, 3), Pass.training(1), 7);
        assertTrue(r.checked() > 1000, "checked " + r.checked());
    }

    @Test
    void threeStepBpttOfTheEncoderAloneMatchesFiniteDifferences() {
        // exactly 3 input steps and one forecast step, 5x5 kernel on a 3x4 grid (the kernel overhangs the grid)
        ConvLstmSpec spec = new ConvLstmSpec(new int[] {2, 3}, new int[] {5, 3}, 1, 1);
        Layer layer = spec.build(BACKEND, DType.FLOAT64, new int[] {3, 1, 3, 4}, 8);
        randomize(layer.params(), 12, 0.5);
        GradientCheck.check(layer, input(4, 1, 3, 1, 3, 4), Pass.training(1), 9);
    }

    @Test
    void parameterCountsOfThePaper() {
        assertEquals(ConvLstmForecaster.PAPER_ONE_LAYER_256,
                new ConvLstmSpec(new int[] {256}, new int[] {5}, 10, 16).parameterCount(16));
        assertEquals(ConvLstmForecaster.PAPER_TWO_LAYERS_128,
                new ConvLstmSpec(new int[] {128, 128}, new int[] {5, 5}, 10, 16).parameterCount(16));
        assertEquals(13_524_496L, ConvLstmForecaster.PAPER_ONE_LAYER_256);
        assertEquals(10_042_896L, ConvLstmForecaster.PAPER_TWO_LAYERS_128);
        // the formula per cell: 4·k²·C_in·C_h + 4·k²·C_h² + 4·C_h + 3·C_h
        assertEquals(4L * 25 * 16 * 256 + 4L * 25 * 256 * 256 + 7L * 256, ConvLstmCell.parameterCount(16, 256, 5));
    }

    @Test
    void builtModelsHaveTheFormulasParameterCount() {
        ConvLstmSpec spec = new ConvLstmSpec(new int[] {5, 3, 4}, new int[] {3, 5, 1}, 2, 3);
        var model = ConvLstmForecaster.build(spec, BACKEND, DType.FLOAT32, 4, 2, 6, 5, 1);
        assertEquals(spec.parameterCount(2), model.parameterCount());
        var w2 = ConvLstmForecaster.w2(BACKEND, DType.FLOAT32, 1);
        assertEquals(ConvLstmForecaster.W2.parameterCount(4), w2.parameterCount());
        assertEquals(58_180, w2.parameterCount());
    }

    @Test
    void initialisation() {
        ConvLstm layer = (ConvLstm) new ConvLstmSpec(new int[] {3}, new int[] {3}, 1, 1)
                .build(BACKEND, DType.FLOAT64, new int[] {2, 2, 4, 4}, 1);
        double[] b = layer.encoderCell(0).bias().value().toDoubleArray();
        assertArrayEquals(new double[] {0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0}, b, 0.0, "forget-gate bias 1, others 0");
        assertArrayEquals(new double[9], layer.encoderCell(0).peephole().value().toDoubleArray(), 0.0);
        double bound = 1 / Math.sqrt((2 + 3) * 9);
        for (double w : layer.encoderCell(0).weight().value().toDoubleArray()) {
            assertTrue(Math.abs(w) <= bound);
        }
    }

    @Test
    void matchesTheHandWrittenReferenceWithPeepholes() {
        ConvLstmSpec spec = new ConvLstmSpec(new int[] {3, 2}, new int[] {3, 3}, 2, 2);
        ConvLstm layer = (ConvLstm) spec.build(BACKEND, DType.FLOAT64, new int[] {4, 2, 5, 4}, 3);
        randomize(layer.params(), 21, 0.7);
        Tensor x = input(5, 2, 4, 2, 5, 4);
        double[] y = layer.forward(x, Pass.INFERENCE, 0).toDoubleArray();
        double[] xs = x.toDoubleArray();
        int per = 4 * 2 * 5 * 4;
        int outPer = 2 * 2 * 5 * 4;
        for (int e = 0; e < 2; e++) {
            double[] ref = ConvLstmReference.forecast(layer, Arrays.copyOfRange(xs, e * per, (e + 1) * per), 4, 2, 5, 4,
                    true);
            assertArrayEquals(ref, Arrays.copyOfRange(y, e * outPer, (e + 1) * outPer), 1e-12);
        }
    }

    @Test
    void peepholesAtZeroReproduceTheNoPeepholeCell() {
        ConvLstmSpec spec = new ConvLstmSpec(new int[] {4, 3}, new int[] {3, 5}, 3, 2);
        ConvLstm layer = (ConvLstm) spec.build(BACKEND, DType.FLOAT64, new int[] {3, 3, 6, 5}, 4);
        randomize(layer.params(), 22, 0.7);
        for (int l = 0; l < 2; l++) {
            BACKEND.fill(layer.encoderCell(l).peephole().value(), 0);
            BACKEND.fill(layer.forecasterCell(l).peephole().value(), 0);
        }
        Tensor x = input(6, 1, 3, 3, 6, 5);
        double[] y = layer.forward(x, Pass.INFERENCE, 0).toDoubleArray();
        double[] ref = ConvLstmReference.forecast(layer, x.toDoubleArray(), 3, 3, 6, 5, false);
        assertArrayEquals(ref, y, 1e-12);
        // and the peepholes do matter when they are not zero
        BACKEND.fill(layer.encoderCell(0).peephole().value(), 0.5);
        double[] withPeepholes = layer.forward(x, Pass.INFERENCE, 0).toDoubleArray();
        assertTrue(maxDiff(ref, withPeepholes) > 1e-4);
    }

    @Test
    void oneByOneGridAndKernelsEqualAnFcLstmWithDiagonalPeepholes() {
        int in = 3;
        int ch = 4;
        int frames = 5;
        int horizon = 2;
        int cout = 2;
        ConvLstm layer = (ConvLstm) new ConvLstmSpec(new int[] {ch}, new int[] {1}, horizon, cout)
                .build(BACKEND, DType.FLOAT64, new int[] {frames, in, 1, 1}, 6);
        randomize(layer.params(), 23, 0.8);
        Tensor x = input(7, 1, frames, in, 1, 1);
        double[] y = layer.forward(x, Pass.INFERENCE, 0).toDoubleArray();

        // FC-LSTM (Graves 2013) with diagonal peepholes, written with matrices: W_x [4ch, in], W_h [4ch, ch]
        double[] xs = x.toDoubleArray();
        double[][] h = {new double[ch]};
        double[][] c = {new double[ch]};
        for (int t = 0; t < frames; t++) {
            fcLstmStep(layer.encoderCell(0), Arrays.copyOfRange(xs, t * in, (t + 1) * in), h, c);
        }
        double[] w = layer.outputWeight().value().toDoubleArray();
        double[] b = layer.outputBias().value().toDoubleArray();
        for (int j = 0; j < horizon; j++) {
            fcLstmStep(layer.forecasterCell(0), new double[0], h, c);
            for (int o = 0; o < cout; o++) {
                double v = b[o];
                for (int q = 0; q < ch; q++) {
                    v += w[o * ch + q] * h[0][q];
                }
                assertEquals(v, y[j * cout + o], 1e-13, "frame " + j + " channel " + o);
            }
        }
    }

    /** i = σ(W_xi x + W_hi h + w_ci ∘ c + b_i), …, o = σ(W_xo x + W_ho h + w_co ∘ c_new + b_o). */
    private static void fcLstmStep(ConvLstmCell cell, double[] x, double[][] h, double[][] c) {
        int in = cell.inputChannels();
        int ch = cell.hiddenChannels();
        double[] w = cell.weight().value().toDoubleArray(); // [4ch, in + ch]
        double[] b = cell.bias().value().toDoubleArray();
        double[] p = cell.peephole().value().toDoubleArray();
        double[] pre = new double[4 * ch];
        for (int r = 0; r < 4 * ch; r++) {
            double v = b[r];
            for (int q = 0; q < in; q++) {
                v += w[r * (in + ch) + q] * x[q];
            }
            for (int q = 0; q < ch; q++) {
                v += w[r * (in + ch) + in + q] * h[0][q];
            }
            pre[r] = v;
        }
        double[] hn = new double[ch];
        double[] cn = new double[ch];
        for (int q = 0; q < ch; q++) {
            double i = ConvLstmReference.sigmoid(pre[q] + p[q] * c[0][q]);
            double f = ConvLstmReference.sigmoid(pre[ch + q] + p[ch + q] * c[0][q]);
            cn[q] = f * c[0][q] + i * Math.tanh(pre[2 * ch + q]);
            double o = ConvLstmReference.sigmoid(pre[3 * ch + q] + p[2 * ch + q] * cn[q]);
            hn[q] = o * Math.tanh(cn[q]);
        }
        h[0] = hn;
        c[0] = cn;
    }

    @Test
    void outputKeepsTheSpatialSize() {
        var model = ConvLstmForecaster.build(new ConvLstmSpec(new int[] {3, 2}, new int[] {3, 3}, 3, 1), BACKEND,
                DType.FLOAT32, 2, 2, 7, 5, 1);
        assertArrayEquals(new int[] {3, 1, 7, 5}, model.outputShape());
        Tensor y = model.forward(BACKEND.fromHost(new float[2 * 2 * 2 * 7 * 5], 2, 2, 2, 7, 5), Pass.INFERENCE);
        assertArrayEquals(new int[] {2, 3, 1, 7, 5}, y.shape());
    }

    @Test
    void backwardParametersWritesTheSameGradientsWithoutTheInputGradient() {
        ConvLstmSpec spec = new ConvLstmSpec(new int[] {3, 2}, new int[] {3, 3}, 2, 2);
        Layer a = spec.build(BACKEND, DType.FLOAT64, new int[] {3, 2, 4, 4}, 5);
        randomize(a.params(), 13, 0.5);
        Tensor x = input(8, 2, 3, 2, 4, 4);
        Tensor dy = input(9, 2, 2, 2, 4, 4);
        a.forward(x, Pass.training(1), 0);
        a.backward(dy);
        double[][] full = a.params().stream().map(p -> p.grad().toDoubleArray()).toArray(double[][]::new);
        a.forward(x, Pass.training(1), 0);
        assertNull(a.backwardParameters(dy));
        for (int i = 0; i < full.length; i++) {
            assertArrayEquals(full[i], a.params().get(i).grad().toDoubleArray(), 1e-13, a.params().get(i).name());
        }
    }

    @Test
    void batchExamplesAreIndependent() {
        ConvLstmSpec spec = new ConvLstmSpec(new int[] {3}, new int[] {3}, 2, 1);
        Layer layer = spec.build(BACKEND, DType.FLOAT64, new int[] {3, 2, 4, 4}, 5);
        randomize(layer.params(), 14, 0.5);
        Tensor x = input(10, 3, 3, 2, 4, 4);
        double[] batch = layer.forward(x, Pass.INFERENCE, 0).toDoubleArray();
        int per = 3 * 2 * 16;
        int outPer = 2 * 16;
        for (int e = 0; e < 3; e++) {
            Tensor one = BACKEND.fromHost(Arrays.copyOfRange(x.toDoubleArray(), e * per, (e + 1) * per), 1, 3, 2, 4, 4);
            double[] y = layer.forward(one, Pass.INFERENCE, 0).toDoubleArray();
            assertArrayEquals(Arrays.copyOfRange(batch, e * outPer, (e + 1) * outPer), y, 1e-14);
        }
    }

    @Test
    void invalidConfigurationsNameTheParameter() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new ConvLstmSpec(new int[] {4}, new int[] {2}, 1, 1));
        assertTrue(e.getMessage().contains("convlstm.kernels"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ConvLstmSpec(new int[] {4, 4}, new int[] {3}, 1, 1));
        assertTrue(e.getMessage().contains("convlstm.kernels"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ConvLstmSpec(new int[] {0}, new int[] {3}, 1, 1));
        assertTrue(e.getMessage().contains("convlstm.hidden"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ConvLstmSpec(new int[] {2}, new int[] {3}, 0, 1));
        assertTrue(e.getMessage().contains("convlstm.horizon"), e.getMessage());
    }

    /**
     * A moving blob: frames of a bump drifting one cell right per step; the model learns to forecast the next frame,
     * with SGD and with S-SGD through SupervisedObjective and the masked MSE (a third of the cells masked out).
     */
    @Test
    void learnsToForecastAMovingBlobWithSgdAndSalpSgd() {
        for (String which : List.of("sgd", "s-sgd")) {
            var model = ConvLstmForecaster.build(new ConvLstmSpec(new int[] {6}, new int[] {3}, 1, 1), BACKEND,
                    DType.FLOAT32, 4, 1, 6, 6, 3);
            MaskedMeanSquaredError loss = new MaskedMeanSquaredError();
            SupervisedObjective objective = new SupervisedObjective(model, loss);
            var opt = which.equals("sgd") ? new Sgd(0.3, 0.9, 0) : new SalpSgd(0.3, 0.9, 0, 2, 0.01, 100, 2, 0, 5);
            OptimizerState state = opt.init(model.params());
            int batch = 4;
            float[] mask = new float[batch * 36];
            for (int i = 0; i < mask.length; i++) {
                mask[i] = i % 3 == 0 ? 0 : 1;
            }
            loss.setMask(BACKEND.fromHost(mask, batch, 1, 1, 6, 6));
            double first = Double.NaN;
            double last = Double.NaN;
            for (int step = 0; step < 100; step++) {
                float[][] xy = blobs(batch, step);
                objective.on(BACKEND.fromHost(xy[0], batch, 4, 1, 6, 6), BACKEND.fromHost(xy[1], batch, 1, 1, 6, 6),
                        Pass.training(step));
                double l = opt.step(objective, model.params(), state);
                if (step < 10) {
                    first = step == 0 ? l : first + l;
                }
                if (step >= 90) {
                    last = step == 90 ? l : last + l;
                }
            }
            assertTrue(last < 0.5 * first, which + ": loss " + first / 10 + " -> " + last / 10);
        }
    }

    /** Inputs [B, 4, 1, 6, 6] and targets [B, 1, 1, 6, 6]: a Gaussian bump moving right, wrapping around. */
    private static float[][] blobs(int batch, int step) {
        float[] x = new float[batch * 4 * 36];
        float[] y = new float[batch * 36];
        for (int e = 0; e < batch; e++) {
            int row = (step * 7 + e * 3) % 6;
            int col0 = (step * 5 + e) % 6;
            for (int t = 0; t <= 4; t++) {
                int col = (col0 + t) % 6;
                for (int r = 0; r < 6; r++) {
                    for (int q = 0; q < 6; q++) {
                        int dq = Math.min(Math.abs(q - col), 6 - Math.abs(q - col));
                        float v = (float) Math.exp(-((r - row) * (r - row) + dq * dq) / 1.5);
                        if (t < 4) {
                            x[((e * 4 + t) * 6 + r) * 6 + q] = v;
                        } else {
                            y[(e * 6 + r) * 6 + q] = v;
                        }
                    }
                }
            }
        }
        return new float[][] {x, y};
    }

    private static double maxDiff(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    @Test
    void maskedMseEqualsMseWithoutAMaskAndIgnoresMaskedCells() {
        Tensor y = input(1, 2, 3, 4);
        Tensor t = input(2, 2, 3, 4);
        MaskedMeanSquaredError masked = new MaskedMeanSquaredError();
        MeanSquaredError plain = new MeanSquaredError();
        assertEquals(plain.forward(y, t), masked.forward(y, t), 1e-15);
        assertArrayEquals(plain.backward().toDoubleArray(), masked.backward().toDoubleArray(), 1e-15);
        double[] m = new double[24];
        double[] tv = t.toDoubleArray();
        double[] yv = y.toDoubleArray();
        double expected = 0;
        int count = 0;
        for (int i = 0; i < 24; i++) {
            m[i] = i % 4 == 1 ? 0 : 1;
            if (m[i] == 1) {
                expected += (yv[i] - tv[i]) * (yv[i] - tv[i]);
                count++;
            } else {
                tv[i] = 1e6; // whatever a masked cell holds does not count
            }
        }
        Tensor t2 = BACKEND.fromHost(tv, 2, 3, 4);
        masked.setMask(BACKEND.fromHost(m, 2, 3, 4));
        assertEquals(expected / count, masked.forward(y, t2), 1e-12);
        double[] analytic = masked.backward().toDoubleArray();
        GradientCheck.checkScalar("output", y, analytic, () -> masked.forward(y, t2), 1e-6);
        assertEquals(0, analytic[1], 0.0);
        masked.setMask(BACKEND.zeros(DType.FLOAT64, 2, 3, 4));
        assertEquals(0, masked.forward(y, t2));
        assertArrayEquals(new double[24], masked.backward().toDoubleArray(), 0);
        assertNotEquals(0, count);
    }
}
