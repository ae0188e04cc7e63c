package dev.tandem.learning.al;

import dev.tandem.learning.nn.ActivationLayer;
import dev.tandem.learning.nn.Dense;
import dev.tandem.learning.nn.Flatten;
import dev.tandem.learning.nn.LayerSpec;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.tensor.Activation;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Shapes;

import java.util.ArrayList;
import java.util.List;

/**
 * The fair backprop baseline of an AL network (ALGORITHMS.md §1): the same encoders f_1..f_L, then, in place of
 * b_L and the decoders, dense layers of width 5N and N (the reference's shape) and the output layer:
 * <pre>
 * f_1 → ... → f_L → flatten → FC 5N → act → FC N → act → FC classes      (logits; trained with cross-entropy)
 * </pre>
 * with N the width whose total trainable parameter count is nearest to the AL model's (every f, b, g and h,
 * intermediate bridges and label encoders included, since they are trained). The counts then differ by at most
 * half a step of N, stated in {@link Baseline#relativeDifference()}; for the standard networks that is well
 * under {@link #TOLERANCE}.
 */
public final class BackpropBaseline {
    /** The largest relative parameter-count difference the standard networks' baselines show (tests assert it). */
    public static final double TOLERANCE = 0.01;

    /** The baseline network and how its size compares. */
    public record Baseline(Sequential network, int width, long alParameters, long baselineParameters) {
        public double relativeDifference() {
            return Math.abs(baselineParameters - alParameters) / (double) alParameters;
        }

        public String describe() {
            return String.format("backprop baseline: encoders + FC %d + FC %d + FC out = %,d parameters; AL model %,d "
                    + "(difference %.3f%%)", 5 * width, width, baselineParameters, alParameters,
                    100 * relativeDifference());
        }
    }

    private BackpropBaseline() {
    }

    /** The baseline matching {@code al}, on the same backend and dtype, initialised by {@code init}. */
    public static Baseline matching(AlModel al, AlInit init, Activation headActivation, long seed) {
        AlComponent first = al.component(0);
        Backend backend = first.encoder().backend();
        DType dtype = first.encoder().dtype();
        List<LayerSpec> encoders = new ArrayList<>();
        long encoderParams = 0;
        for (AlComponent c : al.components()) {
            encoders.addAll(c.encoder().specs());
            encoderParams += c.encoder().parameterCount();
        }
        int features = Shapes.size(al.component(al.depth() - 1).stateOutputShape());
        int classes = al.targetWidth();
        long target = al.parameterCount() - encoderParams;
        int n = bestWidth(features, classes, target);
        List<LayerSpec> specs = new ArrayList<>(encoders);
        specs.add(new Flatten.Spec());
        specs.add(new Dense.Spec(5 * n));
        specs.add(new ActivationLayer.Spec(headActivation));
        specs.add(new Dense.Spec(n));
        specs.add(new ActivationLayer.Spec(headActivation));
        specs.add(new Dense.Spec(classes));
        Sequential net = new Sequential(backend, dtype, al.inputShape(), specs, seed);
        init.apply(net, seed);
        return new Baseline(net, n, al.parameterCount(), net.parameterCount());
    }

    /** Parameters of the head FC 5N → FC N → FC classes on {@code features} inputs. */
    static long headParameters(int features, int classes, long n) {
        return features * 5 * n + 5 * n + 5 * n * n + n + n * classes + classes;
    }

    static int bestWidth(int features, int classes, long target) {
        // 5N² + (5F + 6 + K)·N + K = target, rounded to the nearest integer solution
        double a = 5;
        double b = 5.0 * features + 6 + classes;
        double c = classes - (double) target;
        int guess = (int) Math.max(1, Math.round((-b + Math.sqrt(Math.max(0, b * b - 4 * a * c))) / (2 * a)));
        int best = 1;
        long bestDiff = Long.MAX_VALUE;
        for (int n = Math.max(1, guess - 2); n <= guess + 2; n++) {
            long diff = Math.abs(headParameters(features, classes, n) - target);
            if (diff < bestDiff) {
                bestDiff = diff;
                best = n;
            }
        }
        return best;
    }
}
