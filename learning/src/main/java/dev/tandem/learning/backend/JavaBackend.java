package dev.tandem.learning.backend;

import dev.tandem.learning.tensor.Activation;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.ConvGeometry;
import dev.tandem.learning.tensor.CounterRng;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.GemmShape;
import dev.tandem.learning.tensor.Shapes;
import dev.tandem.learning.tensor.Tensor;
import dev.tandem.learning.tensor.Unary;

import java.util.Arrays;

/**
 * The plain-Java reference backend, in float and double. Every other backend is tested against it. It is
 * written for clarity first; its float path is also what faster backends reuse for operations too small to be
 * worth a native call.
 */
public class JavaBackend implements Backend {
    public static final String NAME = "java";

    @Override
    public String name() {
        return NAME;
    }

    // ---- memory ---------------------------------------------------------------------------------------

    @Override
    public Tensor zeros(DType dtype, int... shape) {
        int n = Shapes.size(shape);
        Buf buf = dtype == DType.FLOAT32 ? new Buf.F32(new float[n]) : new Buf.F64(new double[n]);
        return new JavaTensor(this, buf, shape);
    }

    @Override
    public Tensor fromHost(float[] data, int... shape) {
        return new JavaTensor(this, new Buf.F32(data.clone()), shape);
    }

    @Override
    public Tensor fromHost(double[] data, int... shape) {
        return new JavaTensor(this, new Buf.F64(data.clone()), shape);
    }

    /** Wraps a host array without copying (the caller gives up the array). */
    public Tensor wrap(float[] data, int... shape) {
        return new JavaTensor(this, new Buf.F32(data), shape);
    }

    public Tensor wrap(double[] data, int... shape) {
        return new JavaTensor(this, new Buf.F64(data), shape);
    }

    @Override
    public void copyToHost(Tensor src, float[] dst) {
        Buf b = buf(src);
        checkLength(b, dst.length);
        if (b instanceof Buf.F32 f) {
            System.arraycopy(f.a, 0, dst, 0, dst.length);
        } else {
            for (int i = 0; i < dst.length; i++) {
                dst[i] = (float) b.get(i);
            }
        }
    }

    @Override
    public void copyToHost(Tensor src, double[] dst) {
        Buf b = buf(src);
        checkLength(b, dst.length);
        if (b instanceof Buf.F64 d) {
            System.arraycopy(d.a, 0, dst, 0, dst.length);
        } else {
            for (int i = 0; i < dst.length; i++) {
                dst[i] = b.get(i);
            }
        }
    }

    @Override
    public void copyFromHost(float[] src, Tensor dst) {
        Buf b = buf(dst);
        checkLength(b, src.length);
        if (b instanceof Buf.F32 f) {
            System.arraycopy(src, 0, f.a, 0, src.length);
        } else {
            for (int i = 0; i < src.length; i++) {
                b.set(i, src[i]);
            }
        }
    }

    @Override
    public void copyFromHost(double[] src, Tensor dst) {
        Buf b = buf(dst);
        checkLength(b, src.length);
        if (b instanceof Buf.F64 d) {
            System.arraycopy(src, 0, d.a, 0, src.length);
        } else {
            for (int i = 0; i < src.length; i++) {
                b.set(i, src[i]);
            }
        }
    }

    @Override
    public Tensor reshape(Tensor t, int... shape) {
        return new JavaTensor(this, buf(t), shape);
    }

    @Override
    public void copyExamples(Tensor src, int srcFirst, Tensor dst, int dstFirst, int count) {
        int per = Shapes.perExample(src.shape());
        if (per != Shapes.perExample(dst.shape())) {
            throw new IllegalArgumentException("copyExamples: example shapes differ: " + src.describe() + " vs "
                    + dst.describe());
        }
        Buf s = buf(src);
        Buf d = buf(dst);
        if (s instanceof Buf.F32 sf && d instanceof Buf.F32 df) {
            System.arraycopy(sf.a, srcFirst * per, df.a, dstFirst * per, count * per);
        } else if (s instanceof Buf.F64 sd && d instanceof Buf.F64 dd) {
            System.arraycopy(sd.a, srcFirst * per, dd.a, dstFirst * per, count * per);
        } else {
            for (int i = 0; i < count * per; i++) {
                d.set(dstFirst * per + i, s.get(srcFirst * per + i));
            }
        }
    }

    // ---- element-wise and reductions ------------------------------------------------------------------

    @Override
    public void fill(Tensor t, double value) {
        Buf b = buf(t);
        if (b instanceof Buf.F32 f) {
            Arrays.fill(f.a, (float) value);
        } else {
            Arrays.fill(((Buf.F64) b).a, value);
        }
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        Shapes.requireSameShape(src, dst, "copy");
        copyExamples(reshape(src, 1, src.size()), 0, reshape(dst, 1, dst.size()), 0, 1);
    }

    @Override
    public void axpby(double a, Tensor x, double b, Tensor y) {
        Shapes.requireSameShape(x, y, "axpby");
        Buf xb = buf(x);
        Buf yb = buf(y);
        int n = xb.length();
        if (xb instanceof Buf.F32 xf && yb instanceof Buf.F32 yf) {
            float fa = (float) a;
            float fb = (float) b;
            float[] xa = xf.a;
            float[] ya = yf.a;
            if (b == 0) {
                for (int i = 0; i < n; i++) {
                    ya[i] = fa * xa[i];
                }
                return;
            }
            for (int i = 0; i < n; i++) {
                ya[i] = fa * xa[i] + fb * ya[i];
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            yb.set(i, b == 0 ? a * xb.get(i) : a * xb.get(i) + b * yb.get(i));
        }
    }

    @Override
    public void multiply(Tensor x, Tensor y, Tensor out) {
        Shapes.requireSameShape(x, y, "multiply");
        Shapes.requireSameShape(x, out, "multiply");
        Buf xb = buf(x);
        Buf yb = buf(y);
        Buf ob = buf(out);
        if (xb instanceof Buf.F32 xf && yb instanceof Buf.F32 yf && ob instanceof Buf.F32 of) {
            multiply(xf.a, yf.a, of.a, 0, xf.a.length);
            return;
        }
        for (int i = 0, n = xb.length(); i < n; i++) {
            ob.set(i, xb.get(i) * yb.get(i));
        }
    }

    @Override
    public void divide(Tensor x, Tensor y, Tensor out) {
        Shapes.requireSameShape(x, y, "divide");
        Shapes.requireSameShape(x, out, "divide");
        Buf xb = buf(x);
        Buf yb = buf(y);
        Buf ob = buf(out);
        for (int i = 0, n = xb.length(); i < n; i++) {
            ob.set(i, xb.get(i) / yb.get(i));
        }
    }

    @Override
    public void unary(Unary op, Tensor x, Tensor y) {
        Shapes.requireSameShape(x, y, "unary");
        Buf xb = buf(x);
        Buf yb = buf(y);
        for (int i = 0, n = xb.length(); i < n; i++) {
            yb.set(i, op.apply(xb.get(i)));
        }
    }

    @Override
    public void scaleChannels(Tensor x, Tensor scale, Tensor out) {
        Shapes.requireSameShape(x, out, "scaleChannels");
        int n = x.dim(0);
        int channels = x.dim(1);
        if (scale.size() != channels) {
            throw new IllegalArgumentException("scaleChannels: " + scale.describe() + " for the " + channels
                    + " channels of " + x.describe());
        }
        int spatial = x.size() / Math.max(1, n * channels);
        Buf xb = buf(x);
        Buf sb = buf(scale);
        Buf ob = buf(out);
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < channels; c++) {
                double sc = sb.get(c);
                int base = (i * channels + c) * spatial;
                for (int s = 0; s < spatial; s++) {
                    ob.set(base + s, xb.get(base + s) * sc);
                }
            }
        }
    }

    @Override
    public double sum(Tensor t) {
        Buf b = buf(t);
        double s = 0;
        for (int i = 0, n = b.length(); i < n; i++) {
            s += b.get(i);
        }
        return s;
    }

    @Override
    public double sumSquares(Tensor t) {
        Buf b = buf(t);
        double s = 0;
        for (int i = 0, n = b.length(); i < n; i++) {
            double v = b.get(i);
            s += v * v;
        }
        return s;
    }

    @Override
    public double sumAbs(Tensor t) {
        Buf b = buf(t);
        double s = 0;
        for (int i = 0, n = b.length(); i < n; i++) {
            s += Math.abs(b.get(i));
        }
        return s;
    }

    @Override
    public double dot(Tensor x, Tensor y) {
        Shapes.requireSameShape(x, y, "dot");
        Buf xb = buf(x);
        Buf yb = buf(y);
        double s = 0;
        for (int i = 0, n = xb.length(); i < n; i++) {
            s += xb.get(i) * yb.get(i);
        }
        return s;
    }

    @Override
    public boolean allFinite(Tensor t) {
        Buf b = buf(t);
        if (b instanceof Buf.F32 f) {
            // v - v is 0 for every finite v and NaN for NaN and ±Inf; on the float array, not through get (the
            // guard runs this over every parameter, gradient and optimizer slot of every step)
            float[] a = f.a;
            for (float v : a) {
                if (v - v != 0f) {
                    return false;
                }
            }
            return true;
        }
        for (int i = 0, n = b.length(); i < n; i++) {
            if (!Double.isFinite(b.get(i))) {
                return false;
            }
        }
        return true;
    }

    // ---- dense algebra --------------------------------------------------------------------------------

    @Override
    public void gemm(boolean transA, boolean transB, double alpha, Tensor a, Tensor b, double beta, Tensor c) {
        GemmShape g = GemmShape.of(transA, transB, a, b, c);
        JavaGemm.gemm(transA, transB, g.m(), g.n(), g.k(), alpha, buf(a), buf(b), beta, buf(c));
    }

    @Override
    public void addBias(Tensor y, Tensor bias) {
        int n = y.dim(0);
        int channels = y.dim(1);
        int spatial = y.size() / (n * channels);
        Buf yb = buf(y);
        Buf bb = buf(bias);
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < channels; c++) {
                double bc = bb.get(c);
                int base = (i * channels + c) * spatial;
                for (int s = 0; s < spatial; s++) {
                    yb.set(base + s, yb.get(base + s) + bc);
                }
            }
        }
    }

    @Override
    public void biasGradient(Tensor dy, Tensor dBias) {
        int n = dy.dim(0);
        int channels = dy.dim(1);
        int spatial = dy.size() / (n * channels);
        Buf d = buf(dy);
        Buf g = buf(dBias);
        for (int c = 0; c < channels; c++) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                int base = (i * channels + c) * spatial;
                for (int k = 0; k < spatial; k++) {
                    s += d.get(base + k);
                }
            }
            g.set(c, s);
        }
    }

    // ---- convolution and pooling ----------------------------------------------------------------------

    @Override
    public void conv2dForward(Tensor x, Tensor w, Tensor bias, ConvGeometry g, Tensor y) {
        JavaConv.forward(buf(x), x.shape(), buf(w), w.shape(), bias == null ? null : buf(bias), g, buf(y));
    }

    @Override
    public void conv2dBackward(Tensor x, Tensor w, Tensor dy, ConvGeometry g, Tensor dx, Tensor dw, Tensor dBias) {
        JavaConv.backward(buf(x), x.shape(), buf(w), w.shape(), buf(dy), g,
                dx == null ? null : buf(dx), buf(dw));
        if (dBias != null) {
            biasGradient(dy, dBias);
        }
    }

    @Override
    public void maxPoolForward(Tensor x, ConvGeometry g, Tensor y) {
        JavaConv.maxPoolForward(buf(x), x.shape(), g, buf(y));
    }

    @Override
    public void maxPoolBackward(Tensor x, Tensor dy, ConvGeometry g, Tensor dx) {
        JavaConv.maxPoolBackward(buf(x), x.shape(), buf(dy), g, buf(dx));
    }

    // ---- activations ----------------------------------------------------------------------------------

    @Override
    public void activationForward(Activation f, Tensor z, Tensor y) {
        Buf zb = buf(z);
        Buf yb = buf(y);
        int n = zb.length();
        if (f == Activation.RELU && zb instanceof Buf.F32 zf && yb instanceof Buf.F32 yf) {
            reluForward(zf.a, yf.a, 0, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            yb.set(i, f.apply(zb.get(i)));
        }
    }

    @Override
    public void activationBackward(Activation f, Tensor z, Tensor y, Tensor dy, Tensor dz) {
        Buf zb = buf(z);
        Buf yb = buf(y);
        Buf db = buf(dy);
        Buf out = buf(dz);
        int n = zb.length();
        if (f == Activation.RELU && zb instanceof Buf.F32 zf && db instanceof Buf.F32 df && out instanceof Buf.F32 of) {
            reluBackward(zf.a, df.a, of.a, 0, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            out.set(i, db.get(i) * f.derivative(zb.get(i), yb.get(i)));
        }
    }

    // ---- float element-wise loops over [from, to): one place for the math, the parallel backends split them ----

    /** out[i] = x[i]·y[i]: float × float rounded once is exactly (float) of the double product. */
    public static void multiply(float[] x, float[] y, float[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = x[i] * y[i];
        }
    }

    /** y[i] = max(z[i], 0). */
    public static void reluForward(float[] z, float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] = Math.max(z[i], 0f);
        }
    }

    /** dz[i] = z[i] > 0 ? dy[i] : 0, branch-free: a mask from z's bits, 5x faster than the branch on random signs. */
    public static void reluBackward(float[] z, float[] dy, float[] dz, int from, int to) {
        for (int i = from; i < to; i++) {
            int zb32 = Float.floatToRawIntBits(z[i]);
            int positive = ((zb32 - 1) >> 31 ^ -1) & ~(zb32 >> 31);
            dz[i] = Float.intBitsToFloat(Float.floatToRawIntBits(dy[i]) & positive);
        }
    }

    /** mask[i] = 0 where {@link CounterRng#uniform}(seed, i) &lt; p, else 1 / (1 − p), in float. */
    public static void dropoutMask(long seed, double p, float[] mask, int from, int to) {
        float keep = (float) (1.0 / (1.0 - p));
        for (int i = from; i < to; i++) {
            mask[i] = CounterRng.uniform(seed, i) < p ? 0f : keep;
        }
    }

    @Override
    public void softmaxRows(Tensor x, Tensor y) {
        int rows = x.dim(0);
        int cols = x.size() / rows;
        Buf xb = buf(x);
        Buf yb = buf(y);
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) {
                max = Math.max(max, xb.get(base + c));
            }
            double s = 0;
            for (int c = 0; c < cols; c++) {
                double e = Math.exp(xb.get(base + c) - max);
                yb.set(base + c, e);
                s += e;
            }
            for (int c = 0; c < cols; c++) {
                yb.set(base + c, yb.get(base + c) / s);
            }
        }
    }

    @Override
    public void softmaxRowsBackward(Tensor y, Tensor dy, Tensor dx) {
        int rows = y.dim(0);
        int cols = y.size() / rows;
        Buf yb = buf(y);
        Buf db = buf(dy);
        Buf out = buf(dx);
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            double s = 0;
            for (int c = 0; c < cols; c++) {
                s += db.get(base + c) * yb.get(base + c);
            }
            for (int c = 0; c < cols; c++) {
                out.set(base + c, yb.get(base + c) * (db.get(base + c) - s));
            }
        }
    }

    // ---- batch normalisation --------------------------------------------------------------------------

    @Override
    public void batchNormTrainForward(Tensor x, Tensor gamma, Tensor beta, double eps, double momentum,
                                      Tensor runningMean, Tensor runningVar,
                                      Tensor xHat, Tensor mean, Tensor invStd, Tensor y) {
        JavaBatchNorm.trainForward(buf(x), x.shape(), buf(gamma), buf(beta), eps, momentum, buf(runningMean),
                buf(runningVar), buf(xHat), buf(mean), buf(invStd), buf(y));
    }

    @Override
    public void batchNormInferForward(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                      double eps, Tensor y) {
        JavaBatchNorm.inferForward(buf(x), x.shape(), buf(gamma), buf(beta), buf(runningMean), buf(runningVar),
                eps, buf(y));
    }

    @Override
    public void batchNormBackward(Tensor dy, Tensor xHat, Tensor gamma, Tensor invStd,
                                  Tensor dx, Tensor dGamma, Tensor dBeta) {
        JavaBatchNorm.backward(buf(dy), dy.shape(), buf(xHat), buf(gamma), buf(invStd), buf(dx), buf(dGamma),
                buf(dBeta));
    }

    // ---- randomness -----------------------------------------------------------------------------------

    @Override
    public void counterUniform(long seed, long stride, long offset, Tensor out) {
        Buf b = buf(out);
        for (int i = 0, n = b.length(); i < n; i++) {
            b.set(i, CounterRng.uniform(seed, stride * i + offset));
        }
    }

    @Override
    public void dropoutMask(long seed, double p, Tensor mask) {
        Buf m = buf(mask);
        if (m instanceof Buf.F32 mf) {
            dropoutMask(seed, p, mf.a, 0, mf.a.length);
            return;
        }
        double keep = 1.0 / (1.0 - p);
        for (int i = 0, n = m.length(); i < n; i++) {
            m.set(i, CounterRng.uniform(seed, i) < p ? 0.0 : keep);
        }
    }

    // ---- losses ---------------------------------------------------------------------------------------

    @Override
    public double softmaxCrossEntropy(Tensor logits, Tensor targets, Tensor probs) {
        Shapes.requireSameShape(logits, targets, "softmaxCrossEntropy");
        int rows = logits.dim(0);
        int cols = logits.size() / rows;
        Buf z = buf(logits);
        Buf t = buf(targets);
        Buf p = buf(probs);
        double loss = 0;
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) {
                max = Math.max(max, z.get(base + c));
            }
            double s = 0;
            for (int c = 0; c < cols; c++) {
                s += Math.exp(z.get(base + c) - max);
            }
            double lse = max + Math.log(s);
            for (int c = 0; c < cols; c++) {
                double zc = z.get(base + c);
                p.set(base + c, Math.exp(zc - lse));
                double tc = t.get(base + c);
                if (tc != 0) {
                    loss += tc * (lse - zc);
                }
            }
        }
        return loss / rows;
    }

    // ---- optimizer updates ----------------------------------------------------------------------------

    @Override
    public void sgdUpdate(Tensor param, Tensor grad, Tensor buf, double lr, double momentum, double weightDecay) {
        Buf p = buf(param);
        Buf g = buf(grad);
        Buf b = buf(buf);
        if (p instanceof Buf.F32 pf && g instanceof Buf.F32 gf && b instanceof Buf.F32 bf) {
            // the loop below on the float arrays, the same double arithmetic and roundings
            float[] pa = pf.a;
            float[] ga = gf.a;
            float[] ba = bf.a;
            for (int i = 0, n = pa.length; i < n; i++) {
                double d = ga[i] + weightDecay * pa[i];
                double v = momentum * ba[i] + d;
                ba[i] = (float) v;
                pa[i] = (float) (pa[i] - lr * v);
            }
            return;
        }
        for (int i = 0, n = p.length(); i < n; i++) {
            double d = g.get(i) + weightDecay * p.get(i);
            double v = momentum * b.get(i) + d;
            b.set(i, v);
            p.set(i, p.get(i) - lr * v);
        }
    }

    @Override
    public void adamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, double lr, double beta1, double beta2,
                           double eps, long step) {
        Buf p = buf(param);
        Buf g = buf(grad);
        Buf mb = buf(m);
        Buf vb = buf(v);
        double c1 = 1 - Math.pow(beta1, step);
        double c2 = 1 - Math.pow(beta2, step);
        if (p instanceof Buf.F32 pf && g instanceof Buf.F32 gf && mb instanceof Buf.F32 mf
                && vb instanceof Buf.F32 vf) {
            // the loop below on the float arrays, the same double arithmetic and roundings
            float[] pa = pf.a;
            float[] ga = gf.a;
            float[] ma = mf.a;
            float[] va = vf.a;
            for (int i = 0, n = pa.length; i < n; i++) {
                double gi = ga[i];
                double mi = beta1 * ma[i] + (1 - beta1) * gi;
                double vi = beta2 * va[i] + (1 - beta2) * gi * gi;
                ma[i] = (float) mi;
                va[i] = (float) vi;
                pa[i] = (float) (pa[i] - lr * (mi / c1) / (Math.sqrt(vi / c2) + eps));
            }
            return;
        }
        for (int i = 0, n = p.length(); i < n; i++) {
            double gi = g.get(i);
            double mi = beta1 * mb.get(i) + (1 - beta1) * gi;
            double vi = beta2 * vb.get(i) + (1 - beta2) * gi * gi;
            mb.set(i, mi);
            vb.set(i, vi);
            p.set(i, p.get(i) - lr * (mi / c1) / (Math.sqrt(vi / c2) + eps));
        }
    }

    @Override
    public void proximalSgdUpdate(Tensor param, Tensor grad, Tensor anchor, Tensor buf, double lr, double momentum,
                                  double weightDecay, double proximal) {
        Buf p = buf(param);
        Buf g = buf(grad);
        Buf a = buf(anchor);
        Buf b = buf(buf);
        for (int i = 0, n = p.length(); i < n; i++) {
            double w = p.get(i);
            double d = g.get(i) + weightDecay * w + proximal * (w - a.get(i));
            double v = momentum * b.get(i) + d;
            b.set(i, v);
            p.set(i, w - lr * v);
        }
    }

    @Override
    public double[] yamAdamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, Tensor s, Tensor h, double beta,
                                  double eps) {
        Buf p = buf(param);
        Buf g = buf(grad);
        Buf mb = buf(m);
        Buf vb = buf(v);
        Buf sb = buf(s);
        Buf hb = buf(h);
        double oldL1 = 0;
        double newL1 = 0;
        double keep = 1 - beta;
        for (int i = 0, n = p.length(); i < n; i++) {
            double gi = g.get(i);
            double mOld = mb.get(i);
            double hOld = hb.get(i);
            double dev = gi - mOld;
            double mi = beta * mOld + keep * gi;
            double vi = beta * vb.get(i) + keep * dev * dev;
            double si = beta * sb.get(i) + keep * hOld * hOld;
            double hi = mi * Math.sqrt((si + eps) / (vi + eps));
            mb.set(i, mi);
            vb.set(i, vi);
            sb.set(i, si);
            hb.set(i, hi);
            p.set(i, p.get(i) - hi);
            oldL1 += Math.abs(hOld);
            newL1 += Math.abs(hb.get(i));
        }
        return new double[] {oldL1, newL1};
    }

    @Override
    public void salpLeaderMove(Tensor food, Tensor salp, long seed, double c1, double lb, double ub) {
        Shapes.requireSameShape(food, salp, "salpLeaderMove");
        Buf f = buf(food);
        Buf x = buf(salp);
        double width = ub - lb;
        for (int j = 0, n = f.length(); j < n; j++) {
            double c2 = CounterRng.uniform(seed, 2L * j);
            double c3 = CounterRng.uniform(seed, 2L * j + 1);
            double step = c1 * (width * c2 + lb);
            x.set(j, c3 < 0.5 ? f.get(j) + step : f.get(j) - step);
        }
    }

    @Override
    public void addScalar(Tensor t, double c) {
        Buf b = buf(t);
        for (int i = 0, n = b.length(); i < n; i++) {
            b.set(i, b.get(i) + c);
        }
    }

    @Override
    public void adaptiveActivationForward(Activation f, Tensor z, Tensor slope, double scale, Tensor y) {
        Shapes.requireSameShape(z, y, "adaptiveActivationForward");
        Buf zb = buf(z);
        Buf yb = buf(y);
        double[] k = slopeFactors(slope, scale);
        int per = k.length;
        for (int i = 0, n = zb.length(); i < n; i++) {
            yb.set(i, f.apply(k[per == 1 ? 0 : i % per] * zb.get(i)));
        }
    }

    @Override
    public void adaptiveActivationBackward(Activation f, Tensor z, Tensor slope, double scale, Tensor y, Tensor dy,
                                           Tensor dz, Tensor dSlope) {
        Shapes.requireSameShape(z, dy, "adaptiveActivationBackward");
        Shapes.requireSameShape(z, dz, "adaptiveActivationBackward");
        Buf zb = buf(z);
        Buf yb = buf(y);
        Buf db = buf(dy);
        Buf out = buf(dz);
        double[] k = slopeFactors(slope, scale);
        int per = k.length;
        double[] ds = new double[per];
        for (int i = 0, n = zb.length(); i < n; i++) {
            int j = per == 1 ? 0 : i % per;
            double zi = zb.get(i);
            double d = db.get(i) * f.derivative(k[j] * zi, yb.get(i));
            out.set(i, k[j] * d);
            ds[j] += d * zi;
        }
        Buf sb = buf(dSlope);
        for (int j = 0; j < per; j++) {
            sb.set(j, scale * ds[j]);
        }
    }

    /** k = scale · slope per slope element, rounded to the slope's precision (so 1/scale · scale is exactly 1). */
    private static double[] slopeFactors(Tensor slope, double scale) {
        Buf sb = buf(slope);
        double[] k = new double[sb.length()];
        boolean single = sb instanceof Buf.F32;
        for (int j = 0; j < k.length; j++) {
            double v = scale * sb.get(j);
            k[j] = single ? (float) v : v;
        }
        return k;
    }

    // ---- recurrent cells ------------------------------------------------------------------------------

    @Override
    public void copyChannels(Tensor src, int srcFirst, Tensor dst, int dstFirst, int count) {
        channels(src, srcFirst, dst, dstFirst, count, false);
    }

    @Override
    public void addChannels(Tensor src, int srcFirst, Tensor dst, int dstFirst, int count) {
        channels(src, srcFirst, dst, dstFirst, count, true);
    }

    private static void channels(Tensor src, int srcFirst, Tensor dst, int dstFirst, int count, boolean add) {
        int n = src.dim(0);
        int sc = src.dim(1);
        int dc = dst.dim(1);
        int per = src.size() / Math.max(1, n * sc);
        if (dst.dim(0) != n || dst.size() != n * dc * per || srcFirst < 0 || dstFirst < 0 || count < 0
                || srcFirst + count > sc || dstFirst + count > dc) {
            throw new IllegalArgumentException("copyChannels: cannot copy channels [" + srcFirst + ", "
                    + (srcFirst + count) + ") of " + src.describe() + " to [" + dstFirst + ", " + (dstFirst + count)
                    + ") of " + dst.describe());
        }
        Buf s = buf(src);
        Buf d = buf(dst);
        int len = count * per;
        for (int b = 0; b < n; b++) {
            int so = (b * sc + srcFirst) * per;
            int dof = (b * dc + dstFirst) * per;
            if (!add && s instanceof Buf.F32 sf && d instanceof Buf.F32 df) {
                System.arraycopy(sf.a, so, df.a, dof, len);
            } else if (!add && s instanceof Buf.F64 sd && d instanceof Buf.F64 dd) {
                System.arraycopy(sd.a, so, dd.a, dof, len);
            } else if (s instanceof Buf.F32 sf && d instanceof Buf.F32 df) {
                float[] sa = sf.a;
                float[] da = df.a;
                for (int i = 0; i < len; i++) {
                    da[dof + i] += sa[so + i];
                }
            } else {
                for (int i = 0; i < len; i++) {
                    d.set(dof + i, (add ? d.get(dof + i) : 0) + s.get(so + i));
                }
            }
        }
    }

    @Override
    public void flipConvWeights(Tensor w, Tensor out) {
        int o = w.dim(0);
        int c = w.dim(1);
        int kh = w.dim(2);
        int kw = w.dim(3);
        if (!Arrays.equals(out.shape(), new int[] {c, o, kh, kw})) {
            throw new IllegalArgumentException("flipConvWeights: " + w.describe() + " flips into [" + c + ", " + o
                    + ", " + kh + ", " + kw + "], got " + out.describe());
        }
        Buf wb = buf(w);
        Buf ob = buf(out);
        for (int oc = 0; oc < o; oc++) {
            for (int ic = 0; ic < c; ic++) {
                for (int i = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++) {
                        ob.set(((ic * o + oc) * kh + i) * kw + j, wb.get(((oc * c + ic) * kh + (kh - 1 - i)) * kw + (kw - 1 - j)));
                    }
                }
            }
        }
    }

    @Override
    public void lstmGatesForward(Tensor z, Tensor cPrev, Tensor peephole, Tensor gates, Tensor c, Tensor tanhC,
                                 Tensor h) {
        int[] cs = lstmShapes("lstmGatesForward", z, cPrev, peephole, gates, c, tanhC, h);
        JavaLstm.forward(buf(z), buf(cPrev), buf(peephole), buf(gates), buf(c), buf(tanhC), buf(h), 0, cs[0] * cs[1],
                cs[1], cs[2]);
    }

    @Override
    public void lstmGatesBackward(Tensor gates, Tensor cPrev, Tensor c, Tensor tanhC, Tensor peephole, Tensor dh,
                                  Tensor dc, Tensor dz, Tensor dcPrev, Tensor dPeephole) {
        int[] cs = lstmShapes("lstmGatesBackward", gates, cPrev, peephole, dz, c, tanhC, dh, dc, dcPrev);
        Shapes.requireSameShape(peephole, dPeephole, "lstmGatesBackward");
        double[] dp = new double[dPeephole.size()];
        JavaLstm.backward(buf(gates), buf(cPrev), buf(c), buf(tanhC), buf(peephole), buf(dh), buf(dc), buf(dz),
                buf(dcPrev), dp, 0, cs[0] * cs[1], cs[1], cs[2]);
        addInto(dp, dPeephole);
    }

    /** Adds host partial sums into a tensor. */
    protected static void addInto(double[] partial, Tensor t) {
        Buf b = buf(t);
        for (int i = 0; i < partial.length; i++) {
            b.set(i, b.get(i) + partial[i]);
        }
    }

    /**
     * Checks the shapes of an LSTM step: four-gate tensors [N, 4C, S...], cell tensors [N, C, S...], peephole
     * [3, C], one precision; returns {N, C, S}.
     */
    protected static int[] lstmShapes(String op, Tensor fourGate, Tensor cell, Tensor peephole, Tensor fourGate2,
                                      Tensor... cells) {
        int n = cell.dim(0);
        int ch = cell.rank() >= 2 ? cell.dim(1) : 0;
        int s = ch == 0 || n == 0 ? 0 : cell.size() / (n * ch);
        boolean ok = cell.rank() >= 2 && peephole.rank() == 2 && peephole.dim(0) == 3 && peephole.dim(1) == ch
                && fourGate.rank() == cell.rank() && fourGate.dim(0) == n && fourGate.dim(1) == 4 * ch
                && fourGate.size() == 4 * cell.size() && Arrays.equals(fourGate.shape(), fourGate2.shape());
        for (Tensor t : cells) {
            ok &= Arrays.equals(t.shape(), cell.shape());
        }
        ok &= oneDtype(fourGate, cell, peephole, fourGate2) && oneDtype(cells);
        ok &= fourGate.dtype() == cells[0].dtype();
        if (!ok) {
            throw new IllegalArgumentException(op + ": needs gates [N, 4C, ...], cell tensors [N, C, ...] and "
                    + "peepholes [3, C] of one precision; got " + fourGate.describe() + ", " + cell.describe() + ", "
                    + peephole.describe());
        }
        return new int[] {n, ch, s};
    }

    private static boolean oneDtype(Tensor... ts) {
        for (Tensor t : ts) {
            if (t.dtype() != ts[0].dtype()) {
                return false;
            }
        }
        return true;
    }

    // ---- helpers --------------------------------------------------------------------------------------

    /** The heap storage of a tensor of this backend family. */
    protected static Buf buf(Tensor t) {
        if (t instanceof JavaTensor jt) {
            return jt.buf();
        }
        throw new IllegalArgumentException("tensor " + t.describe() + " is not a heap tensor");
    }

    private static void checkLength(Buf b, int length) {
        if (b.length() != length) {
            throw new IllegalArgumentException("host array of " + length + " elements for a tensor of " + b.length());
        }
    }
}
