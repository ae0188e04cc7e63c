package dev.tandem.learning.backend;

/**
 * The element-wise part of a peephole LSTM step ({@code Backend.lstmGatesForward}/{@code lstmGatesBackward}) on heap
 * buffers, over a range of (example, channel) rows so that a parallel backend can split a batch, or one example's channels. Layouts: z and gates
 * [N, 4C, S] (gate order i, f, g, o), cell tensors [N, C, S], peephole [3, C] (w_ci, w_cf, w_co). Float runs in
 * float with a rational tanh and σ(x) = (1 + tanh(x/2))/2 (absolute error below 1e-6); double uses
 * {@link Math#exp} and {@link Math#tanh}, the reference.
 */
public final class JavaLstm {
    private JavaLstm() {
    }

    /**
     * Forward for the (example, channel) rows [from, to) — row r is example r / C, channel r % C — of tensors with C
     * channels and S spatial cells; all rows are [0, N·C).
     */
    public static void forward(Buf z, Buf cPrev, Buf peep, Buf gates, Buf c, Buf tanhC, Buf h, int from, int to,
                               int channels, int spatial) {
        if (z instanceof Buf.F32 zf) {
            forward(zf.a, ((Buf.F32) cPrev).a, ((Buf.F32) peep).a, ((Buf.F32) gates).a, ((Buf.F32) c).a,
                    ((Buf.F32) tanhC).a, ((Buf.F32) h).a, from, to, channels, spatial);
        } else {
            forward(((Buf.F64) z).a, ((Buf.F64) cPrev).a, ((Buf.F64) peep).a, ((Buf.F64) gates).a, ((Buf.F64) c).a,
                    ((Buf.F64) tanhC).a, ((Buf.F64) h).a, from, to, channels, spatial);
        }
    }

    /** Backward for the rows [from, to) (as in {@link #forward}); adds their peephole gradient into dPeep[3·C]. */
    public static void backward(Buf gates, Buf cPrev, Buf c, Buf tanhC, Buf peep, Buf dh, Buf dc, Buf dz, Buf dcPrev,
                                double[] dPeep, int from, int to, int channels, int spatial) {
        if (gates instanceof Buf.F32 gf) {
            backward(gf.a, ((Buf.F32) cPrev).a, ((Buf.F32) c).a, ((Buf.F32) tanhC).a, ((Buf.F32) peep).a,
                    ((Buf.F32) dh).a, ((Buf.F32) dc).a, ((Buf.F32) dz).a, ((Buf.F32) dcPrev).a, dPeep, from, to,
                    channels, spatial);
        } else {
            backward(((Buf.F64) gates).a, ((Buf.F64) cPrev).a, ((Buf.F64) c).a, ((Buf.F64) tanhC).a,
                    ((Buf.F64) peep).a, ((Buf.F64) dh).a, ((Buf.F64) dc).a, ((Buf.F64) dz).a, ((Buf.F64) dcPrev).a,
                    dPeep, from, to, channels, spatial);
        }
    }

    private static float sigmoid(float x) {
        return 0.5f + 0.5f * tanh(0.5f * x);
    }

    /**
     * tanh in float as a rational function of degree 13/6 on [−7.905, 7.905] (clamped outside, where it is ±1 in
     * float), the approximation of Eigen's {@code generic_fast_tanh_float}: absolute error below 1e-6 (tested against
     * {@link Math#tanh}). Only multiplications, additions, one division and min/max, so the JIT can vectorise the
     * gate loops; an exp-based σ (via {@link Math#exp} or a bit-twiddled float exp) cost 7–20 ns per call here.
     */
    static float tanh(float x) {
        float c = Math.max(-7.90531110763549805f, Math.min(7.90531110763549805f, x));
        float x2 = c * c;
        float p = -2.76076847742355e-16f;
        p = p * x2 + 2.00018790482477e-13f;
        p = p * x2 - 8.60467152213735e-11f;
        p = p * x2 + 5.12229709037114e-08f;
        p = p * x2 + 1.48572235717979e-05f;
        p = p * x2 + 6.37261928875436e-04f;
        p = p * x2 + 4.89352455891786e-03f;
        float q = 1.19825839466702e-06f;
        q = q * x2 + 1.18534705686654e-04f;
        q = q * x2 + 2.26843463243900e-03f;
        q = q * x2 + 4.89352518554385e-03f;
        return p * c / q;
    }

    private static double sigmoid(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }

    private static void forward(float[] z, float[] cPrev, float[] peep, float[] gates, float[] c, float[] tanhC,
                                float[] h, int from, int to, int ch, int s) {
        int gs = ch * s;
        for (int r = from; r < to; r++) {
            int n = r / ch;
            int k = r % ch;
            int io = n * 4 * gs + k * s;
            int fo = io + gs;
            int go = io + 2 * gs;
            int oo = io + 3 * gs;
            int co = n * gs + k * s;
            // Simple passes over one row; each nonlinearity in place (load and store at the same index), which the
            // JIT vectorises. One fused loop ran at ~50 ns per cell, a σ from one array into another at ~9 ns.
            affine(z, io, cPrev, co, peep[k], gates, io, s);
            sigmoidInPlace(gates, io, s);
            affine(z, fo, cPrev, co, peep[ch + k], gates, fo, s);
            sigmoidInPlace(gates, fo, s);
            System.arraycopy(z, go, gates, go, s);
            tanhInPlace(gates, go, s);
            for (int j = 0; j < s; j++) {
                c[co + j] = gates[fo + j] * cPrev[co + j] + gates[io + j] * gates[go + j];
            }
            affine(z, oo, c, co, peep[2 * ch + k], gates, oo, s);
            sigmoidInPlace(gates, oo, s);
            System.arraycopy(c, co, tanhC, co, s);
            tanhInPlace(tanhC, co, s);
            for (int j = 0; j < s; j++) {
                h[co + j] = gates[oo + j] * tanhC[co + j];
            }
        }
    }

    /** out[o + j] = z[zo + j] + w·cell[co + j]. */
    private static void affine(float[] z, int zo, float[] cell, int co, float w, float[] out, int o, int len) {
        for (int j = 0; j < len; j++) {
            out[o + j] = z[zo + j] + w * cell[co + j];
        }
    }

    private static void sigmoidInPlace(float[] a, int o, int len) {
        for (int j = 0; j < len; j++) {
            a[o + j] = sigmoid(a[o + j]);
        }
    }

    private static void tanhInPlace(float[] a, int o, int len) {
        for (int j = 0; j < len; j++) {
            a[o + j] = tanh(a[o + j]);
        }
    }

    private static void forward(double[] z, double[] cPrev, double[] peep, double[] gates, double[] c,
                                double[] tanhC, double[] h, int from, int to, int ch, int s) {
        int gs = ch * s;
        for (int r = from; r < to; r++) {
            int n = r / ch;
            int k = r % ch;
            int zb = n * 4 * gs;
            int cb = n * gs;
            {
                double wi = peep[k];
                double wf = peep[ch + k];
                double wo = peep[2 * ch + k];
                int zo = zb + k * s;
                int co = cb + k * s;
                for (int j = 0; j < s; j++) {
                    double cp = cPrev[co + j];
                    double i = sigmoid(z[zo + j] + wi * cp);
                    double f = sigmoid(z[zo + gs + j] + wf * cp);
                    double g = Math.tanh(z[zo + 2 * gs + j]);
                    double cn = f * cp + i * g;
                    double o = sigmoid(z[zo + 3 * gs + j] + wo * cn);
                    double tc = Math.tanh(cn);
                    gates[zo + j] = i;
                    gates[zo + gs + j] = f;
                    gates[zo + 2 * gs + j] = g;
                    gates[zo + 3 * gs + j] = o;
                    c[co + j] = cn;
                    tanhC[co + j] = tc;
                    h[co + j] = o * tc;
                }
            }
        }
    }

    private static void backward(float[] gates, float[] cPrev, float[] c, float[] tanhC, float[] peep, float[] dh,
                                 float[] dc, float[] dz, float[] dcPrev, double[] dPeep, int from, int to, int ch,
                                 int s) {
        int gs = ch * s;
        for (int r = from; r < to; r++) {
            int n = r / ch;
            int k = r % ch;
            int zb = n * 4 * gs;
            int cb = n * gs;
            {
                float wi = peep[k];
                float wf = peep[ch + k];
                float wo = peep[2 * ch + k];
                int zo = zb + k * s;
                int co = cb + k * s;
                float si = 0;
                float sf = 0;
                float so = 0;
                for (int j = 0; j < s; j++) {
                    float i = gates[zo + j];
                    float f = gates[zo + gs + j];
                    float g = gates[zo + 2 * gs + j];
                    float o = gates[zo + 3 * gs + j];
                    float tc = tanhC[co + j];
                    float cp = cPrev[co + j];
                    float dhj = dh[co + j];
                    float dzo = dhj * tc * o * (1 - o);
                    float dct = dc[co + j] + dhj * o * (1 - tc * tc) + dzo * wo;
                    float dzi = dct * g * i * (1 - i);
                    float dzf = dct * cp * f * (1 - f);
                    float dzg = dct * i * (1 - g * g);
                    dz[zo + j] = dzi;
                    dz[zo + gs + j] = dzf;
                    dz[zo + 2 * gs + j] = dzg;
                    dz[zo + 3 * gs + j] = dzo;
                    dcPrev[co + j] = dct * f + dzi * wi + dzf * wf;
                    si += dzi * cp;
                    sf += dzf * cp;
                    so += dzo * c[co + j];
                }
                dPeep[k] += si;
                dPeep[ch + k] += sf;
                dPeep[2 * ch + k] += so;
            }
        }
    }

    private static void backward(double[] gates, double[] cPrev, double[] c, double[] tanhC, double[] peep,
                                 double[] dh, double[] dc, double[] dz, double[] dcPrev, double[] dPeep, int from,
                                 int to, int ch, int s) {
        int gs = ch * s;
        for (int r = from; r < to; r++) {
            int n = r / ch;
            int k = r % ch;
            int zb = n * 4 * gs;
            int cb = n * gs;
            {
                double wi = peep[k];
                double wf = peep[ch + k];
                double wo = peep[2 * ch + k];
                int zo = zb + k * s;
                int co = cb + k * s;
                double si = 0;
                double sf = 0;
                double so = 0;
                for (int j = 0; j < s; j++) {
                    double i = gates[zo + j];
                    double f = gates[zo + gs + j];
                    double g = gates[zo + 2 * gs + j];
                    double o = gates[zo + 3 * gs + j];
                    double tc = tanhC[co + j];
                    double cp = cPrev[co + j];
                    double dhj = dh[co + j];
                    double dzo = dhj * tc * o * (1 - o);
                    double dct = dc[co + j] + dhj * o * (1 - tc * tc) + dzo * wo;
                    double dzi = dct * g * i * (1 - i);
                    double dzf = dct * cp * f * (1 - f);
                    double dzg = dct * i * (1 - g * g);
                    dz[zo + j] = dzi;
                    dz[zo + gs + j] = dzf;
                    dz[zo + 2 * gs + j] = dzg;
                    dz[zo + 3 * gs + j] = dzo;
                    dcPrev[co + j] = dct * f + dzi * wi + dzf * wf;
                    si += dzi * cp;
                    sf += dzf * cp;
                    so += dzo * c[co + j];
                }
                dPeep[k] += si;
                dPeep[ch + k] += sf;
                dPeep[2 * ch + k] += so;
            }
        }
    }
}
