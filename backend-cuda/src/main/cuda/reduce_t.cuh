// Reductions; every partial in double, one partial per block (the host adds the partials in order).
// mode: 0 Σx, 1 Σx², 2 Σ|x|, 3 Σx·y, 4 count of non-finite elements.
extern "C" __global__ void K(reduce)(int mode, const T* x, const T* y, int n, double* partials) {
    __shared__ double shared[TPB];
    double acc = 0;
    FOR_EACH(i, n) {
        double v = (double) x[i];
        switch (mode) {
            case 0: acc += v; break;
            case 1: acc += v * v; break;
            case 2: acc += fabs(v); break;
            case 3: acc += v * (double) y[i]; break;
            default: acc += isfinite(v) ? 0.0 : 1.0; break;
        }
    }
    double s = block_sum(acc, shared);
    if (threadIdx.x == 0) {
        partials[blockIdx.x] = s;
    }
}

// dBias[c] = Σ over n and s of dy[n, c, s]; one block per channel.
extern "C" __global__ void K(bias_gradient)(const T* dy, T* dBias, int n, int channels, int spatial) {
    __shared__ double shared[TPB];
    int c = blockIdx.x;
    int count = n * spatial;
    double acc = 0;
    for (int t = threadIdx.x; t < count; t += blockDim.x) {
        int b = t / spatial;
        int k = t - b * spatial;
        acc += (double) dy[((long long) b * channels + c) * spatial + k];
    }
    double s = block_sum(acc, shared);
    if (threadIdx.x == 0) {
        dBias[c] = (T) s;
    }
}
