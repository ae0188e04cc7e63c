package dev.tandem.learning.al;

import dev.tandem.learning.nn.Conv1d;
import dev.tandem.learning.nn.Conv2d;
import dev.tandem.learning.nn.Dense;
import dev.tandem.learning.nn.Layer;
import dev.tandem.learning.nn.Param;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.tensor.CounterRng;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * Weight initialisation of AL networks. The AL reference code initialises with He-normal (ALGORITHMS.md §1), the
 * engine's layers with PyTorch's fan-in uniform; an AL model re-draws its dense and convolution weights once, when
 * it is created (a loaded model keeps its stored weights). Biases stay zero.
 */
public enum AlInit {
    /** N(0, 2 / fanIn) weights: the reference code's choice and the default. */
    HE_NORMAL,
    /** The engine's own initialisation, left as the layers drew it. */
    FAN_IN_UNIFORM;

    /** Re-draws the weights of every dense and convolution layer of the network from seed. */
    public void apply(Sequential net, long seed) {
        if (this == FAN_IN_UNIFORM) {
            return;
        }
        for (int i = 0; i < net.layers().size(); i++) {
            Layer layer = net.layers().get(i);
            if (!(layer instanceof Dense || layer instanceof Conv1d || layer instanceof Conv2d)) {
                continue;
            }
            Param weight = layer.params().get(0);
            Tensor w = weight.value();
            // Dense stores [in, out]; convolutions [filters, in channels, kernel...].
            int fanIn = layer instanceof Dense ? w.dim(0) : w.size() / w.dim(0);
            SplittableRandom rng = new SplittableRandom(CounterRng.mix(seed, i));
            double sd = Math.sqrt(2.0 / fanIn);
            if (w.dtype() == DType.FLOAT64) {
                double[] v = new double[w.size()];
                for (int k = 0; k < v.length; k++) {
                    v[k] = rng.nextGaussian() * sd;
                }
                w.backend().copyFromHost(v, w);
            } else {
                float[] v = new float[w.size()];
                for (int k = 0; k < v.length; k++) {
                    v[k] = (float) (rng.nextGaussian() * sd);
                }
                w.backend().copyFromHost(v, w);
            }
        }
    }
}
