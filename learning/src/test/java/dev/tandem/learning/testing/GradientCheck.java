package dev.tandem.learning.testing;

import dev.tandem.learning.nn.Layer;
import dev.tandem.learning.nn.LayerSpec;
import dev.tandem.learning.nn.Param;
import dev.tandem.learning.nn.Pass;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.tensor.Tensor;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Finite-difference check of a layer's backward pass, in double precision. The scalar checked is
 * L = Σ r ⊙ forward(x) for a fixed random r, so backward(r) must equal ∂L/∂x and ∂L/∂θ. Central differences with
 * step h; each coordinate must satisfy |analytic − numeric| ≤ tol · max(1, |analytic|, |numeric|).
 */
public final class GradientCheck {
    public static final double H = 1e-6;
    public static final double TOL = 1e-6;

    private GradientCheck() {
    }

    public record Result(double worstError, String worstWhere, int checked) {
    }

    /** Checks input and parameter gradients of a layer; fails with an AssertionError naming the worst coordinate. */
    public static Result check(Layer layer, Tensor x, Pass pass, long seed) {
        return check(layer, x, pass, seed, TOL);
    }

    public static Result check(Layer layer, Tensor x, Pass pass, long seed, double tol) {
        Tensor y = layer.forward(x, pass, 0);
        double[] r = random(y.size(), seed);
        Tensor rT = x.backend().fromHost(r, y.shape());
        Tensor dx = layer.backward(rT);
        double[] dxA = dx.toDoubleArray();
        double[][] dpA = new double[layer.params().size()][];
        for (int i = 0; i < dpA.length; i++) {
            dpA[i] = layer.params().get(i).grad().toDoubleArray();
        }
        Supplier<Double> objective = () -> dotWith(layer.forward(x, pass, 0), r);
        Tracker t = new Tracker(tol);
        t.compare("input", x, dxA, objective);
        for (int i = 0; i < dpA.length; i++) {
            Param p = layer.params().get(i);
            t.compare("param " + p.name(), p.value(), dpA[i], objective);
        }
        return t.result();
    }

    /** Checks a whole model's input and parameter gradients, as {@link #check} does for one layer. */
    public static Result checkModel(Sequential model, Tensor x, Pass pass, long seed) {
        return check(new ModelAsLayer(model), x, pass, seed);
    }

    /** A model seen as one layer, for the layer-shaped check. */
    private record ModelAsLayer(Sequential model) implements Layer {
        @Override
        public LayerSpec spec() {
            throw new UnsupportedOperationException("a test adapter has no spec");
        }

        @Override
        public int[] outputShape() {
            return model.outputShape();
        }

        @Override
        public Tensor forward(Tensor x, Pass pass, int layerIndex) {
            return model.forward(x, pass);
        }

        @Override
        public Tensor backward(Tensor dy) {
            return model.backward(dy);
        }

        @Override
        public List<Param> params() {
            return model.params();
        }
    }

    /** Checks the gradient of a scalar function of one tensor against an analytic gradient. */
    public static Result checkScalar(String what, Tensor at, double[] analytic, Supplier<Double> f, double tol) {
        Tracker t = new Tracker(tol);
        t.compare(what, at, analytic, f);
        return t.result();
    }

    public static double[] random(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = 2 * rng.nextDouble() - 1;
        }
        return v;
    }

    private static double dotWith(Tensor y, double[] r) {
        double[] v = y.toDoubleArray();
        double s = 0;
        for (int i = 0; i < v.length; i++) {
            s += v[i] * r[i];
        }
        return s;
    }

    private static final class Tracker {
        private final double tol;
        private double worst;
        private String where = "-";
        private int checked;

        Tracker(double tol) {
            this.tol = tol;
        }

        void compare(String what, Tensor at, double[] analytic, Supplier<Double> f) {
            double[] v = at.toDoubleArray();
            for (int i = 0; i < v.length; i++) {
                double orig = v[i];
                v[i] = orig + H;
                at.backend().copyFromHost(v, at);
                double plus = f.get();
                v[i] = orig - H;
                at.backend().copyFromHost(v, at);
                double minus = f.get();
                v[i] = orig;
                at.backend().copyFromHost(v, at);
                double numeric = (plus - minus) / (2 * H);
                double err = Math.abs(analytic[i] - numeric) / Math.max(1, Math.max(Math.abs(analytic[i]), Math.abs(numeric)));
                checked++;
                if (err > worst) {
                    worst = err;
                    where = what + "[" + i + "] analytic " + analytic[i] + " numeric " + numeric;
                }
            }
        }

        Result result() {
            if (worst > tol) {
                throw new AssertionError("gradient check failed: error " + worst + " > " + tol + " at " + where);
            }
            return new Result(worst, where, checked);
        }
    }
}
