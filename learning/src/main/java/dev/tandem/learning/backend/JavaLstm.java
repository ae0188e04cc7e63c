package dev.tandem.learning.backend;

/**
 * The element-wise part of a peephole LSTM step ({@code Backend.lstmGatesForward}/{@code lstmGatesBackward}) on heap
 * buffers, over a range of (example, channel) rows so that a parallel backend can split a batch, or one example's channels. Layouts: z and gates
 * [N, 4C, S] (gate order i, f, g, o), cell tensors [N, C, S], peephole [3, C] (w_ci, w_cf, w_co). Float runs in
 * float with σ and tanh from one {@link #exp} each (to float precision); double uses {@link Math#exp} and
 * {@link Math#tanh}, the reference.
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
        return 1f / (1f + exp(-x));
    }

    private static float tanh(float x) {
        return 2f / (1f + exp(-2f * x)) - 1f;
    }

    /**
     * e^x in float: n = round(x·log2 e), r = x − n·ln 2 (ln 2 split in two parts, so r is exact to float precision,
     * |r| ≤ ln2/2), e^r by its Taylor polynomial of degree 6 (relative error ≤ 1.2e-7) and 2^n from the exponent
     * bits. x is clamped to [−87, 88], where σ and tanh are saturated anyway. Several times faster than
     * {@link Math#exp} on doubles, which dominated the gate passes.
     */
    static float exp(float x) {
        float xc = Math.max(-87f, Math.min(88f, x));
        float n = (float) Math.floor(xc * 1.44269504f + 0.5f);
        float f = xc - n * 0.693145752f - n * 1.42860677e-6f;
        float p = 1f + f * (1f + f * (0.5f + f * (0.166666667f + f * (0.0416666667f + f * (0.00833333333f
                + f * 0.00138888889f)))));
        return p * Float.intBitsToFloat(((int) n + 127) << 23);
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
            int zb = n * 4 * gs;
            int cb = n * gs;
            {
                float wi = peep[k];
                float wf = peep[ch + k];
                float wo = peep[2 * ch + k];
                int zo = zb + k * s;
                int co = cb + k * s;
                for (int j = 0; j < s; j++) {
                    float cp = cPrev[co + j];
                    float i = sigmoid(z[zo + j] + wi * cp);
                    float f = sigmoid(z[zo + gs + j] + wf * cp);
                    float g = tanh(z[zo + 2 * gs + j]);
                    float cn = f * cp + i * g;
                    float o = sigmoid(z[zo + 3 * gs + j] + wo * cn);
                    float tc = tanh(cn);
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
