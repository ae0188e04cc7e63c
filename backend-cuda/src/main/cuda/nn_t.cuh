// Batch normalisation over axis 1 of [N, C, S] (one block per channel, statistics in double as the reference) and
// the peephole ConvLSTM gate passes (ALGORITHMS.md §2.1; one thread per cell, gate order i, f, g, o).

extern "C" __global__ void K(batch_norm_train_forward)(const T* x, const T* gamma, const T* beta, double eps,
                                                       double momentum, T* runningMean, T* runningVar, T* xHat,
                                                       T* mean, T* invStd, T* y, int n, int channels, int spatial) {
    __shared__ double shared[TPB];
    int c = blockIdx.x;
    int count = n * spatial;
    double acc = 0;
    for (int t = threadIdx.x; t < count; t += blockDim.x) {
        int b = t / spatial;
        acc += (double) x[((long long) b * channels + c) * spatial + (t - b * spatial)];
    }
    double mu = block_sum(acc, shared) / count;
    acc = 0;
    for (int t = threadIdx.x; t < count; t += blockDim.x) {
        int b = t / spatial;
        double d = (double) x[((long long) b * channels + c) * spatial + (t - b * spatial)] - mu;
        acc += d * d;
    }
    double var = block_sum(acc, shared) / count;
    double is = 1.0 / sqrt(var + eps);
    double gc = (double) gamma[c];
    double bc = (double) beta[c];
    for (int t = threadIdx.x; t < count; t += blockDim.x) {
        int b = t / spatial;
        long long at = ((long long) b * channels + c) * spatial + (t - b * spatial);
        double h = ((double) x[at] - mu) * is;
        xHat[at] = (T) h;
        y[at] = (T) (gc * h + bc);
    }
    if (threadIdx.x == 0) {
        mean[c] = (T) mu;
        invStd[c] = (T) is;
        double unbiased = count > 1 ? var * count / (count - 1) : var;
        runningMean[c] = (T) ((1 - momentum) * (double) runningMean[c] + momentum * mu);
        runningVar[c] = (T) ((1 - momentum) * (double) runningVar[c] + momentum * unbiased);
    }
}

extern "C" __global__ void K(batch_norm_infer_forward)(const T* x, const T* gamma, const T* beta,
                                                       const T* runningMean, const T* runningVar, double eps, T* y,
                                                       int total, int channels, int spatial) {
    FOR_EACH(i, total) {
        int c = (i / spatial) % channels;
        double scale = (double) gamma[c] / sqrt((double) runningVar[c] + eps);
        double shift = (double) beta[c] - (double) runningMean[c] * scale;
        y[i] = (T) ((double) x[i] * scale + shift);
    }
}

extern "C" __global__ void K(batch_norm_backward)(const T* dy, const T* xHat, const T* gamma, const T* invStd, T* dx,
                                                  T* dGamma, T* dBeta, int n, int channels, int spatial) {
    __shared__ double shared[TPB];
    int c = blockIdx.x;
    int count = n * spatial;
    double a1 = 0;
    double a2 = 0;
    for (int t = threadIdx.x; t < count; t += blockDim.x) {
        int b = t / spatial;
        long long at = ((long long) b * channels + c) * spatial + (t - b * spatial);
        double d = (double) dy[at];
        a1 += d;
        a2 += d * (double) xHat[at];
    }
    double sdy = block_sum(a1, shared);
    double sdyx = block_sum(a2, shared);
    double f = (double) gamma[c] * (double) invStd[c] / count;
    for (int t = threadIdx.x; t < count; t += blockDim.x) {
        int b = t / spatial;
        long long at = ((long long) b * channels + c) * spatial + (t - b * spatial);
        dx[at] = (T) (f * (count * (double) dy[at] - sdy - (double) xHat[at] * sdyx));
    }
    if (threadIdx.x == 0) {
        dBeta[c] = (T) sdy;
        dGamma[c] = (T) sdyx;
    }
}

// cells = N·C·S; z and gates [N, 4C, S]; cPrev, c, tanhC, h [N, C, S]; peep [3, C].
extern "C" __global__ void K(lstm_gates_forward)(const T* z, const T* cPrev, const T* peep, T* gates, T* c, T* tanhC,
                                                 T* h, int n, int channels, int spatial) {
    int cells = n * channels * spatial;
    int gs = channels * spatial;
    FOR_EACH(idx, cells) {
        int b = idx / gs;
        int r = idx - b * gs;
        int k = r / spatial;
        long long zo = (long long) b * 4 * gs + r;
        T cp = cPrev[idx];
        T i = sigmoid_of<T>(z[zo] + peep[k] * cp);
        T f = sigmoid_of<T>(z[zo + gs] + peep[channels + k] * cp);
        T g = tanh(z[zo + 2 * gs]);
        T cn = f * cp + i * g;
        T o = sigmoid_of<T>(z[zo + 3 * gs] + peep[2 * channels + k] * cn);
        T tc = tanh(cn);
        gates[zo] = i;
        gates[zo + gs] = f;
        gates[zo + 2 * gs] = g;
        gates[zo + 3 * gs] = o;
        c[idx] = cn;
        tanhC[idx] = tc;
        h[idx] = o * tc;
    }
}

// Writes dz and dcPrev (which may be dc: each thread reads dc before writing dcPrev at the same index) and the
// peephole terms dzi·cPrev, dzf·cPrev, dzo·c into peepTerms [3, N, C, S], summed per channel afterwards.
extern "C" __global__ void K(lstm_gates_backward)(const T* gates, const T* cPrev, const T* c, const T* tanhC,
                                                  const T* peep, const T* dh, const T* dc, T* dz, T* dcPrev,
                                                  T* peepTerms, int n, int channels, int spatial) {
    int cells = n * channels * spatial;
    int gs = channels * spatial;
    FOR_EACH(idx, cells) {
        int b = idx / gs;
        int r = idx - b * gs;
        int k = r / spatial;
        long long zo = (long long) b * 4 * gs + r;
        T i = gates[zo];
        T f = gates[zo + gs];
        T g = gates[zo + 2 * gs];
        T o = gates[zo + 3 * gs];
        T tc = tanhC[idx];
        T cp = cPrev[idx];
        T dhj = dh[idx];
        T dzo = dhj * tc * o * ((T) 1 - o);
        T dct = dc[idx] + dhj * o * ((T) 1 - tc * tc) + dzo * peep[2 * channels + k];
        T dzi = dct * g * i * ((T) 1 - i);
        T dzf = dct * cp * f * ((T) 1 - f);
        T dzg = dct * i * ((T) 1 - g * g);
        dz[zo] = dzi;
        dz[zo + gs] = dzf;
        dz[zo + 2 * gs] = dzg;
        dz[zo + 3 * gs] = dzo;
        dcPrev[idx] = dct * f + dzi * peep[k] + dzf * peep[channels + k];
        peepTerms[idx] = dzi * cp;
        peepTerms[cells + idx] = dzf * cp;
        peepTerms[2 * cells + idx] = dzo * c[idx];
    }
}

// dPeep[r, k] += Σ over n and s of peepTerms[r, n, k, s]; one block per (r, k), grid 3·C.
extern "C" __global__ void K(lstm_peephole_gradient)(const T* peepTerms, T* dPeep, int n, int channels, int spatial) {
    __shared__ double shared[TPB];
    int r = blockIdx.x / channels;
    int k = blockIdx.x - r * channels;
    int count = n * spatial;
    long long cells = (long long) n * channels * spatial;
    double acc = 0;
    for (int t = threadIdx.x; t < count; t += blockDim.x) {
        int b = t / spatial;
        acc += (double) peepTerms[r * cells + ((long long) b * channels + k) * spatial + (t - b * spatial)];
    }
    double s = block_sum(acc, shared);
    if (threadIdx.x == 0) {
        dPeep[blockIdx.x] = (T) ((double) dPeep[blockIdx.x] + s);
    }
}
