package dev.tandem.learning.al;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.nn.ActivationLayer;
import dev.tandem.learning.nn.BatchNorm;
import dev.tandem.learning.nn.Conv1d;
import dev.tandem.learning.nn.Dense;
import dev.tandem.learning.nn.Dropout;
import dev.tandem.learning.nn.Flatten;
import dev.tandem.learning.nn.LayerSpec;
import dev.tandem.learning.nn.MaxPool;
import dev.tandem.learning.nn.Param;
import dev.tandem.learning.optim.Adam;
import dev.tandem.learning.tensor.Activation;
import dev.tandem.learning.tensor.ConvGeometry.Padding;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Small AL networks and batches for the engine tests. */
final class AlFixtures {
    static final JavaBackend BACKEND = new JavaBackend();
    static final int CLASSES = 3;
    static final int CHANNELS = 2;
    static final int LENGTH = 16;

    private AlFixtures() {
    }

    /**
     * Three components over [2, 16] inputs: a gearbox-style conv block (conv → BN → ReLU → maxpool), a second
     * conv block whose bridge pools, and a dense component with dropout; label width 5, ELU/sigmoid as the
     * reference. Small enough for finite differences in double precision.
     */
    static AlArchitecture smallConvNet(DecoderLoss firstLoss) {
        return smallConvNet(firstLoss, 0);
    }

    /** The same with neuron-wise adaptive encoder activations of scale n (0: off). */
    static AlArchitecture smallConvNet(DecoderLoss firstLoss, double adaptiveSlopes) {
        List<List<LayerSpec>> encoders = List.of(
                List.of(new Conv1d.Spec(3, 3, 1, Padding.SAME), BatchNorm.Spec.defaults(), ActivationLayer.relu(),
                        MaxPool.Spec.of1d(2)),
                List.of(new Conv1d.Spec(4, 3, 1, Padding.SAME), new ActivationLayer.Spec(Activation.TANH)),
                List.of(new Flatten.Spec(), new Dropout.Spec(0.25), new Dense.Spec(6),
                        new ActivationLayer.Spec(Activation.ELU)));
        AlNets.Options o = new AlNets.Options(5, firstLoss, Activation.SIGMOID, 16, AlInit.HE_NORMAL, adaptiveSlopes);
        return AlNets.assemble(new int[] {CHANNELS, LENGTH}, CLASSES, encoders, o);
    }

    static AlModel model(AlArchitecture arch, DType dtype, long seed) {
        return AlModel.create(arch, BACKEND, dtype, seed, new AlOptimizers(new Adam(1e-2), new Adam(2e-2)));
    }

    static Tensor inputs(int n, long seed, DType dtype) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n * CHANNELS * LENGTH];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextGaussian();
        }
        return tensor(v, dtype, n, CHANNELS, LENGTH);
    }

    static Tensor oneHot(int n, long seed, DType dtype) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n * CLASSES];
        for (int i = 0; i < n; i++) {
            v[i * CLASSES + r.nextInt(CLASSES)] = 1;
        }
        return tensor(v, dtype, n, CLASSES);
    }

    static Tensor tensor(double[] v, DType dtype, int... shape) {
        if (dtype == DType.FLOAT64) {
            return BACKEND.fromHost(v, shape);
        }
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return BACKEND.fromHost(f, shape);
    }

    /** Every parameter of every part of every component, as host copies. */
    static List<double[]> snapshot(AlModel m) {
        List<double[]> out = new ArrayList<>();
        for (AlComponent c : m.components()) {
            for (Part p : Part.values()) {
                for (Param q : c.part(p).params()) {
                    out.add(q.value().toDoubleArray());
                }
            }
        }
        return out;
    }

    static Tensor copy(Tensor t) {
        Tensor out = t.backend().zeros(t.dtype(), t.shape());
        t.backend().copy(t, out);
        return out;
    }
}
