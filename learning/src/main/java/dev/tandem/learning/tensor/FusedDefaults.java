package dev.tandem.learning.tensor;

import java.util.Arrays;

/**
 * The fused kernels of the {@link Backend} SPI written with its core operations only, so that a backend whose
 * tensors are not on the Java heap (a GPU) gets every one of them by implementing the core. They favour few,
 * simple calls over speed: a backend overrides the ones that its models run often. Temporaries are allocated per
 * call through {@link Backend#zeros}; the only host copy is the small constant of {@link #flipConvWeights}.
 * Results agree with the plain-Java reference up to rounding (the order of some additions differs); the
 * conformance kit checks them on a backend that overrides none of them.
 */
final class FusedDefaults {
    private FusedDefaults() {
    }

    // ---- copies ---------------------------------------------------------------------------------------

    static void copy(Backend be, Tensor src, Tensor dst) {
        Shapes.requireSameShape(src, dst, "copy");
        be.axpby(1, src, 0, dst); // 1·x is exact, and b = 0 never reads dst
    }

    static void copyExamples(Backend be, Tensor src, int srcFirst, Tensor dst, int dstFirst, int count) {
        int per = Shapes.perExample(src.shape());
        if (per != Shapes.perExample(dst.shape())) {
            throw new IllegalArgumentException("copyExamples: example shapes differ: " + src.describe() + " vs "
                    + dst.describe());
        }
        // examples are the "channels" of a [1, N, per] view
        be.copyChannels(be.reshape(src, 1, src.dim(0), per), srcFirst, be.reshape(dst, 1, dst.dim(0), per), dstFirst,
                count);
    }

    static void addScalar(Backend be, Tensor t, double c) {
        Tensor k = be.zeros(t.dtype(), t.shape());
        be.fill(k, c);
        be.axpby(1, k, 1, t);
    }

    // ---- softmax and the loss -------------------------------------------------------------------------

    static void softmaxRowsBackward(Backend be, Tensor y, Tensor dy, Tensor dx) {
        int rows = y.dim(0);
        int cols = y.size() / rows;
        DType dt = y.dtype();
        Tensor y2 = be.reshape(y, rows, cols);
        Tensor dy2 = be.reshape(dy, rows, cols);
        Tensor dx2 = be.reshape(dx, rows, cols);
        Tensor prod = be.zeros(dt, rows, cols);
        be.multiply(dy2, y2, prod);
        // row sums and their broadcast are products with a column of ones
        Tensor ones = be.zeros(dt, cols, 1);
        be.fill(ones, 1);
        Tensor s = be.zeros(dt, rows, 1);
        be.gemm(false, false, 1, prod, ones, 0, s);
        be.axpby(1, dy2, 0, dx2);
        be.gemm(false, false, -1, s, be.reshape(ones, 1, cols), 1, dx2);
        be.multiply(y2, dx2, dx2);
    }

    static double softmaxCrossEntropy(Backend be, Tensor logits, Tensor targets, Tensor probs) {
        Shapes.requireSameShape(logits, targets, "softmaxCrossEntropy");
        int rows = logits.dim(0);
        be.softmaxRows(logits, probs);
        Tensor logP = be.zeros(logits.dtype(), logits.shape());
        be.axpby(1, probs, 0, logP);
        // a probability that underflowed to 0 under a zero target must give 0, not 0·(−∞)
        be.addScalar(logP, logits.dtype() == DType.FLOAT32 ? Float.MIN_NORMAL : Double.MIN_NORMAL);
        be.unary(Unary.LOG, logP, logP);
        return -be.dot(targets, logP) / rows;
    }

    // ---- batch normalisation --------------------------------------------------------------------------

    static void batchNormTrainForward(Backend be, Tensor x, Tensor gamma, Tensor beta, double eps, double momentum,
                                      Tensor runningMean, Tensor runningVar, Tensor xHat, Tensor mean, Tensor invStd,
                                      Tensor y) {
        int channels = x.dim(1);
        int count = x.size() / channels;
        DType dt = x.dtype();
        be.biasGradient(x, mean);
        be.axpby(1.0 / count, mean, 0, mean);
        Tensor negMean = be.zeros(dt, channels);
        be.axpby(-1, mean, 0, negMean);
        be.axpby(1, x, 0, xHat);
        be.addBias(xHat, negMean); // x − μ
        Tensor sq = be.zeros(dt, x.shape());
        be.unary(Unary.SQUARE, xHat, sq);
        Tensor var = be.zeros(dt, channels);
        be.biasGradient(sq, var);
        be.axpby(1.0 / count, var, 0, var);
        be.axpby(1, var, 0, invStd);
        be.addScalar(invStd, eps);
        be.unary(Unary.SQRT, invStd, invStd);
        be.unary(Unary.RECIPROCAL, invStd, invStd);
        be.scaleChannels(xHat, invStd, xHat);
        be.scaleChannels(xHat, gamma, y);
        be.addBias(y, beta);
        double unbiased = count > 1 ? (double) count / (count - 1) : 1;
        be.axpby(momentum, mean, 1 - momentum, runningMean);
        be.axpby(momentum * unbiased, var, 1 - momentum, runningVar);
    }

    static void batchNormInferForward(Backend be, Tensor x, Tensor gamma, Tensor beta, Tensor runningMean,
                                      Tensor runningVar, double eps, Tensor y) {
        int channels = x.dim(1);
        DType dt = x.dtype();
        Tensor scale = be.zeros(dt, channels);
        be.axpby(1, runningVar, 0, scale);
        be.addScalar(scale, eps);
        be.unary(Unary.SQRT, scale, scale);
        be.divide(gamma, scale, scale); // γ / √(var + eps)
        Tensor shift = be.zeros(dt, channels);
        be.multiply(runningMean, scale, shift);
        be.axpby(1, beta, -1, shift); // β − mean·scale
        be.scaleChannels(x, scale, y);
        be.addBias(y, shift);
    }

    static void batchNormBackward(Backend be, Tensor dy, Tensor xHat, Tensor gamma, Tensor invStd, Tensor dx,
                                  Tensor dGamma, Tensor dBeta) {
        int channels = dy.dim(1);
        int count = dy.size() / channels;
        DType dt = dy.dtype();
        be.biasGradient(dy, dBeta);
        Tensor t = be.zeros(dt, dy.shape());
        be.multiply(dy, xHat, t);
        be.biasGradient(t, dGamma);
        // dx = γ·invStd/count · (count·dy − Σdy − x̂·Σ(dy·x̂))
        be.scaleChannels(xHat, dGamma, t);
        be.axpby(count, dy, 0, dx);
        be.axpby(-1, t, 1, dx);
        Tensor negSum = be.zeros(dt, channels);
        be.axpby(-1, dBeta, 0, negSum);
        be.addBias(dx, negSum);
        Tensor f = be.zeros(dt, channels);
        be.multiply(gamma, invStd, f);
        be.axpby(1.0 / count, f, 0, f);
        be.scaleChannels(dx, f, dx);
    }

    // ---- randomness -----------------------------------------------------------------------------------

    static void dropoutMask(Backend be, long seed, double p, Tensor mask) {
        be.counterUniform(seed, 1, 0, mask);
        be.addScalar(mask, -p);
        be.unary(Unary.NON_NEGATIVE, mask, mask); // kept where u ≥ p
        be.axpby(1.0 / (1.0 - p), mask, 0, mask);
    }

    static void salpLeaderMove(Backend be, Tensor food, Tensor salp, long seed, double c1, double lb, double ub) {
        Shapes.requireSameShape(food, salp, "salpLeaderMove");
        DType dt = food.dtype();
        Tensor step = be.zeros(dt, food.shape());
        be.counterUniform(seed, 2, 0, step); // c2
        be.axpby(c1 * (ub - lb), step, 0, step);
        be.addScalar(step, c1 * lb); // c1·((ub − lb)·c2 + lb)
        Tensor sign = be.zeros(dt, food.shape());
        be.counterUniform(seed, 2, 1, sign); // c3
        be.addScalar(sign, -0.5);
        be.unary(Unary.NON_NEGATIVE, sign, sign); // 1 where c3 ≥ 0.5 (move down)
        be.axpby(-2, sign, 0, sign);
        be.addScalar(sign, 1); // +1 or −1
        be.multiply(sign, step, step);
        be.axpby(1, food, 0, salp);
        be.axpby(1, step, 1, salp);
    }

    // ---- optimizer updates ----------------------------------------------------------------------------

    static void proximalSgdUpdate(Backend be, Tensor param, Tensor grad, Tensor anchor, Tensor buf, double lr,
                                  double momentum, double weightDecay, double proximal) {
        be.axpby(1, grad, momentum, buf);
        if (weightDecay != 0) {
            be.axpby(weightDecay, param, 1, buf);
        }
        if (proximal != 0) {
            be.axpby(proximal, param, 1, buf);
            be.axpby(-proximal, anchor, 1, buf);
        }
        be.axpby(-lr, buf, 1, param);
    }

    static void adamUpdate(Backend be, Tensor param, Tensor grad, Tensor m, Tensor v, double lr, double beta1,
                           double beta2, double eps, long step) {
        double c1 = 1 - Math.pow(beta1, step);
        double c2 = 1 - Math.pow(beta2, step);
        DType dt = param.dtype();
        be.axpby(1 - beta1, grad, beta1, m);
        Tensor t = be.zeros(dt, param.shape());
        be.unary(Unary.SQUARE, grad, t);
        be.axpby(1 - beta2, t, beta2, v);
        Tensor den = be.zeros(dt, param.shape());
        be.axpby(1 / c2, v, 0, den);
        be.unary(Unary.SQRT, den, den);
        be.addScalar(den, eps);
        be.divide(m, den, t);
        be.axpby(-lr / c1, t, 1, param);
    }

    static double[] yamAdamUpdate(Backend be, Tensor param, Tensor grad, Tensor m, Tensor v, Tensor s, Tensor h,
                                  double beta, double eps) {
        double keep = 1 - beta;
        DType dt = param.dtype();
        double oldL1 = be.sumAbs(h);
        Tensor dev = be.zeros(dt, param.shape());
        be.axpby(1, grad, 0, dev);
        be.axpby(-1, m, 1, dev); // g − m (old m)
        Tensor hSq = be.zeros(dt, param.shape());
        be.unary(Unary.SQUARE, h, hSq); // old h
        be.axpby(keep, grad, beta, m);
        be.unary(Unary.SQUARE, dev, dev);
        be.axpby(keep, dev, beta, v);
        be.axpby(keep, hSq, beta, s);
        Tensor num = hSq;
        be.axpby(1, s, 0, num);
        be.addScalar(num, eps);
        Tensor den = dev;
        be.axpby(1, v, 0, den);
        be.addScalar(den, eps);
        be.divide(num, den, num);
        be.unary(Unary.SQRT, num, num);
        be.multiply(m, num, h);
        be.axpby(-1, h, 1, param);
        return new double[] {oldL1, be.sumAbs(h)};
    }

    // ---- adaptive activations -------------------------------------------------------------------------

    /** k = scale · slope in the tensors' precision. */
    private static Tensor slopeFactors(Backend be, Tensor slope, double scale) {
        Tensor k = be.zeros(slope.dtype(), slope.size());
        be.axpby(scale, be.reshape(slope, slope.size()), 0, k);
        return k;
    }

    static void adaptiveActivationForward(Backend be, Activation f, Tensor z, Tensor slope, double scale, Tensor y) {
        Shapes.requireSameShape(z, y, "adaptiveActivationForward");
        int per = slope.size();
        int rows = z.size() / per;
        Tensor k = slopeFactors(be, slope, scale);
        // one slope per column of a [rows, per] view (layer-wise: per = 1)
        Tensor kz = be.zeros(z.dtype(), rows, per);
        be.scaleChannels(be.reshape(z, rows, per), k, kz);
        be.activationForward(f, kz, be.reshape(y, rows, per));
    }

    static void adaptiveActivationBackward(Backend be, Activation f, Tensor z, Tensor slope, double scale, Tensor y,
                                           Tensor dy, Tensor dz, Tensor dSlope) {
        Shapes.requireSameShape(z, dy, "adaptiveActivationBackward");
        Shapes.requireSameShape(z, dz, "adaptiveActivationBackward");
        int per = slope.size();
        int rows = z.size() / per;
        DType dt = z.dtype();
        Tensor k = slopeFactors(be, slope, scale);
        Tensor zv = be.reshape(z, rows, per);
        Tensor kz = be.zeros(dt, rows, per);
        be.scaleChannels(zv, k, kz);
        Tensor d = be.zeros(dt, rows, per);
        be.activationBackward(f, kz, be.reshape(y, rows, per), be.reshape(dy, rows, per), d);
        be.scaleChannels(d, k, be.reshape(dz, rows, per));
        be.multiply(d, zv, d);
        Tensor ds = be.reshape(dSlope, per);
        be.biasGradient(d, ds);
        be.axpby(scale, ds, 0, ds);
    }

    // ---- convolution weights and the ConvLSTM gates ---------------------------------------------------

    static void flipConvWeights(Backend be, Tensor w, Tensor out) {
        int o = w.dim(0);
        int c = w.dim(1);
        int kh = w.dim(2);
        int kw = w.dim(3);
        if (!Arrays.equals(out.shape(), new int[] {c, o, kh, kw})) {
            throw new IllegalArgumentException("flipConvWeights: " + w.describe() + " flips into [" + c + ", " + o
                    + ", " + kh + ", " + kw + "], got " + out.describe());
        }
        int taps = kh * kw;
        // flipping both kernel axes reverses the flat tap index: a product with the exchange matrix (exact)
        double[] j = new double[taps * taps];
        for (int r = 0; r < taps; r++) {
            j[r * taps + taps - 1 - r] = 1;
        }
        Tensor exchange = w.dtype() == DType.FLOAT64 ? be.fromHost(j, taps, taps) : be.fromHost(toFloat(j), taps, taps);
        Tensor reversed = be.zeros(w.dtype(), o * c, taps);
        be.gemm(false, false, 1, be.reshape(w, o * c, taps), exchange, 0, reversed);
        // then swap the two leading axes, one kernel at a time
        Tensor src = be.reshape(reversed, 1, o * c, taps);
        Tensor dst = be.reshape(out, 1, c * o, taps);
        for (int oc = 0; oc < o; oc++) {
            for (int ic = 0; ic < c; ic++) {
                be.copyChannels(src, oc * c + ic, dst, ic * o + oc, 1);
            }
        }
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    /** Checks an LSTM step's shapes (gates [N, 4C, S...], cells [N, C, S...], peephole [3, C]); returns C. */
    private static int lstmChannels(String op, Tensor fourGate, Tensor cell, Tensor peephole, Tensor... more) {
        int n = cell.dim(0);
        int ch = cell.rank() >= 2 ? cell.dim(1) : 0;
        boolean ok = cell.rank() >= 2 && peephole.rank() == 2 && peephole.dim(0) == 3 && peephole.dim(1) == ch
                && fourGate.rank() == cell.rank() && fourGate.dim(0) == n && fourGate.dim(1) == 4 * ch
                && fourGate.size() == 4 * cell.size();
        for (Tensor t : more) {
            ok &= t.size() == cell.size() || t.size() == fourGate.size();
        }
        if (!ok) {
            throw new IllegalArgumentException(op + ": needs gates [N, 4C, ...], cell tensors [N, C, ...] and "
                    + "peepholes [3, C]; got " + fourGate.describe() + ", " + cell.describe() + ", "
                    + peephole.describe());
        }
        return ch;
    }

    /** Row r of the peephole [3, C] as a tensor [C]. */
    private static Tensor peepholeRow(Backend be, Tensor peephole, int r, int ch) {
        Tensor row = be.zeros(peephole.dtype(), 1, 1, ch);
        be.copyChannels(be.reshape(peephole, 1, 3, ch), r, row, 0, 1);
        return be.reshape(row, ch);
    }

    /** Gate g (0 = i, 1 = f, 2 = g, 3 = o) of a four-gate tensor as a cell-shaped tensor. */
    private static Tensor gate(Backend be, Tensor fourGate, int g, int ch, int[] cellShape) {
        Tensor t = be.zeros(fourGate.dtype(), cellShape);
        be.copyChannels(fourGate, g * ch, t, 0, ch);
        return t;
    }

    /** out = y − y², the sigmoid's derivative from its value. */
    private static void sigmoidSlope(Backend be, Tensor y, Tensor out) {
        be.unary(Unary.SQUARE, y, out);
        be.axpby(1, y, -1, out);
    }

    /** out = 1 − y², tanh's derivative from its value. */
    private static void tanhSlope(Backend be, Tensor y, Tensor out) {
        be.unary(Unary.SQUARE, y, out);
        be.axpby(-1, out, 0, out);
        be.addScalar(out, 1);
    }

    static void lstmGatesForward(Backend be, Tensor z, Tensor cPrev, Tensor peephole, Tensor gates, Tensor c,
                                 Tensor tanhC, Tensor h) {
        int ch = lstmChannels("lstmGatesForward", z, cPrev, peephole, gates, c, tanhC, h);
        int[] cs = cPrev.shape();
        DType dt = cPrev.dtype();
        Tensor t = be.zeros(dt, cs);
        Tensor i = gate(be, z, 0, ch, cs);
        be.scaleChannels(cPrev, peepholeRow(be, peephole, 0, ch), t);
        be.axpby(1, t, 1, i);
        be.activationForward(Activation.SIGMOID, i, i);
        Tensor f = gate(be, z, 1, ch, cs);
        be.scaleChannels(cPrev, peepholeRow(be, peephole, 1, ch), t);
        be.axpby(1, t, 1, f);
        be.activationForward(Activation.SIGMOID, f, f);
        Tensor g = gate(be, z, 2, ch, cs);
        be.activationForward(Activation.TANH, g, g);
        be.multiply(f, cPrev, c);
        be.multiply(i, g, t);
        be.axpby(1, t, 1, c);
        Tensor o = gate(be, z, 3, ch, cs);
        be.scaleChannels(c, peepholeRow(be, peephole, 2, ch), t);
        be.axpby(1, t, 1, o);
        be.activationForward(Activation.SIGMOID, o, o);
        be.activationForward(Activation.TANH, c, tanhC);
        be.multiply(o, tanhC, h);
        Tensor[] parts = {i, f, g, o};
        for (int k = 0; k < 4; k++) {
            be.copyChannels(parts[k], 0, gates, k * ch, ch);
        }
    }

    static void lstmGatesBackward(Backend be, Tensor gates, Tensor cPrev, Tensor c, Tensor tanhC, Tensor peephole,
                                  Tensor dh, Tensor dc, Tensor dz, Tensor dcPrev, Tensor dPeephole) {
        int ch = lstmChannels("lstmGatesBackward", gates, cPrev, peephole, c, tanhC, dh, dc, dz, dcPrev);
        Shapes.requireSameShape(peephole, dPeephole, "lstmGatesBackward");
        int[] cs = cPrev.shape();
        DType dt = cPrev.dtype();
        Tensor i = gate(be, gates, 0, ch, cs);
        Tensor f = gate(be, gates, 1, ch, cs);
        Tensor g = gate(be, gates, 2, ch, cs);
        Tensor o = gate(be, gates, 3, ch, cs);
        Tensor wi = peepholeRow(be, peephole, 0, ch);
        Tensor wf = peepholeRow(be, peephole, 1, ch);
        Tensor wo = peepholeRow(be, peephole, 2, ch);
        Tensor t = be.zeros(dt, cs);
        // dzo = dh·tanh(c)·o(1 − o)
        Tensor dzo = be.zeros(dt, cs);
        sigmoidSlope(be, o, dzo);
        be.multiply(dzo, tanhC, dzo);
        be.multiply(dzo, dh, dzo);
        // dct = dc + dh·o·(1 − tanh²c) + dzo·w_co
        Tensor dct = be.zeros(dt, cs);
        tanhSlope(be, tanhC, t);
        be.multiply(t, o, t);
        be.multiply(t, dh, t);
        be.axpby(1, dc, 0, dct);
        be.axpby(1, t, 1, dct);
        be.scaleChannels(dzo, wo, t);
        be.axpby(1, t, 1, dct);
        Tensor dzi = be.zeros(dt, cs);
        sigmoidSlope(be, i, dzi);
        be.multiply(dzi, g, dzi);
        be.multiply(dzi, dct, dzi);
        Tensor dzf = be.zeros(dt, cs);
        sigmoidSlope(be, f, dzf);
        be.multiply(dzf, cPrev, dzf);
        be.multiply(dzf, dct, dzf);
        Tensor dzg = be.zeros(dt, cs);
        tanhSlope(be, g, dzg);
        be.multiply(dzg, i, dzg);
        be.multiply(dzg, dct, dzg);
        // peephole gradients: per-channel sums, accumulated
        Tensor row = be.zeros(dt, ch);
        Tensor dp = be.reshape(dPeephole, 1, 3, ch);
        Tensor[][] terms = {{dzi, cPrev}, {dzf, cPrev}, {dzo, c}};
        for (int r = 0; r < 3; r++) {
            be.multiply(terms[r][0], terms[r][1], t);
            be.biasGradient(t, row);
            be.addChannels(be.reshape(row, 1, 1, ch), 0, dp, r, 1);
        }
        // dcPrev = dct·f + dzi·w_ci + dzf·w_cf (dcPrev may be dc, already read into dct)
        Tensor acc = be.zeros(dt, cs);
        be.multiply(dct, f, acc);
        be.scaleChannels(dzi, wi, t);
        be.axpby(1, t, 1, acc);
        be.scaleChannels(dzf, wf, t);
        be.axpby(1, t, 1, acc);
        be.axpby(1, acc, 0, dcPrev);
        Tensor[] parts = {dzi, dzf, dzg, dzo};
        for (int k = 0; k < 4; k++) {
            be.copyChannels(parts[k], 0, dz, k * ch, ch);
        }
    }
}
