// Convolution as im2col + GEMM over the whole batch, and max pooling. Geometry as ConvGeometry: output (oy, ox),
// tap (ky, kx) reads input row oy·sH − padTop + ky, column ox·sW − padLeft + kx; outside the input (including
// negative pads, which crop) reads 0.
//
// col[(c·kH + ky)·kW + kx, n·P + oy·outW + ox] with P = outH·outW: one thread per element.
extern "C" __global__ void K(im2col)(const T* x, T* col, int batch, int channels, int h, int w, int kh, int kw,
                                     int sh, int sw, int padTop, int padLeft, int outH, int outW) {
    int p = outH * outW;
    long long cols = (long long) batch * p;
    long long total = (long long) channels * kh * kw * cols;
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < total;
         i += (long long) blockDim.x * gridDim.x) {
        long long q = i % cols;
        int row = (int) (i / cols);
        int n = (int) (q / p);
        int pos = (int) (q - (long long) n * p);
        int oy = pos / outW;
        int ox = pos - oy * outW;
        int kx = row % kw;
        int ky = (row / kw) % kh;
        int c = row / (kw * kh);
        int iy = oy * sh - padTop + ky;
        int ix = ox * sw - padLeft + kx;
        T v = (T) 0;
        if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
            v = x[(((long long) n * channels + c) * h + iy) * w + ix];
        }
        col[i] = v;
    }
}

// The adjoint of im2col, as a gather (no atomics, deterministic): dx[n, c, iy, ix] = Σ of the col entries that read it.
extern "C" __global__ void K(col2im)(const T* col, T* dx, int batch, int channels, int h, int w, int kh, int kw,
                                     int sh, int sw, int padTop, int padLeft, int outH, int outW) {
    int p = outH * outW;
    long long cols = (long long) batch * p;
    int total = batch * channels * h * w;
    FOR_EACH(i, total) {
        int ix = i % w;
        int iy = (i / w) % h;
        int c = (i / (w * h)) % channels;
        int n = i / (w * h * channels);
        T s = (T) 0;
        for (int ky = 0; ky < kh; ky++) {
            int ty = iy + padTop - ky;
            if (ty < 0 || ty % sh != 0) {
                continue;
            }
            int oy = ty / sh;
            if (oy >= outH) {
                continue;
            }
            for (int kx = 0; kx < kw; kx++) {
                int tx = ix + padLeft - kx;
                if (tx < 0 || tx % sw != 0) {
                    continue;
                }
                int ox = tx / sw;
                if (ox >= outW) {
                    continue;
                }
                int row = (c * kh + ky) * kw + kx;
                s += col[(long long) row * cols + (long long) n * p + oy * outW + ox];
            }
        }
        dx[i] = s;
    }
}

// y[n, o, pos] = t[o, n·P + pos] (+ bias[o]): the GEMM's [O, N·P] result back to NCHW.
extern "C" __global__ void K(onp_to_nop)(const T* t, const T* bias, T* y, int batch, int o, int p, int hasBias) {
    int total = batch * o * p;
    FOR_EACH(i, total) {
        int pos = i % p;
        int oc = (i / p) % o;
        int n = i / (p * o);
        T v = t[((long long) oc * batch + n) * p + pos];
        y[i] = hasBias ? v + bias[oc] : v;
    }
}

// t[o, n·P + pos] = y[n, o, pos].
extern "C" __global__ void K(nop_to_onp)(const T* y, T* t, int batch, int o, int p) {
    int total = batch * o * p;
    FOR_EACH(i, total) {
        int pos = i % p;
        int n = (i / p) % batch;
        int oc = i / (p * batch);
        t[i] = y[((long long) n * o + oc) * p + pos];
    }
}

// Index (within the plane) of the first maximal element of a window, as JavaConv.argMax: the first element, then
// any strictly greater one (a NaN first element wins, a later NaN is skipped).
__device__ __forceinline__ int K(pool_argmax)(const T* plane, int w, int kh, int kw, int iy0, int ix0) {
    int best = iy0 * w + ix0;
    T bestV = plane[best];
    for (int ky = 0; ky < kh; ky++) {
        for (int kx = 0; kx < kw; kx++) {
            int idx = (iy0 + ky) * w + ix0 + kx;
            T v = plane[idx];
            if (v > bestV) {
                best = idx;
                bestV = v;
            }
        }
    }
    return best;
}

extern "C" __global__ void K(max_pool_forward)(const T* x, T* y, int planes, int h, int w, int kh, int kw, int sh,
                                               int sw, int outH, int outW) {
    int total = planes * outH * outW;
    FOR_EACH(i, total) {
        int ox = i % outW;
        int oy = (i / outW) % outH;
        int pl = i / (outW * outH);
        const T* plane = x + (long long) pl * h * w;
        y[i] = plane[K(pool_argmax)(plane, w, kh, kw, oy * sh, ox * sw)];
    }
}

// dx[iy, ix] = Σ of dy over the windows whose first maximum is (iy, ix); a gather over the windows containing it.
extern "C" __global__ void K(max_pool_backward)(const T* x, const T* dy, T* dx, int planes, int h, int w, int kh,
                                                int kw, int sh, int sw, int outH, int outW) {
    int total = planes * h * w;
    FOR_EACH(i, total) {
        int ix = i % w;
        int iy = (i / w) % h;
        int pl = i / (w * h);
        const T* plane = x + (long long) pl * h * w;
        int self = iy * w + ix;
        int oyHi = min(iy / sh, outH - 1);
        int oxHi = min(ix / sw, outW - 1);
        int oyLo = iy >= kh ? (iy - kh) / sh + 1 : 0;
        int oxLo = ix >= kw ? (ix - kw) / sw + 1 : 0;
        T s = (T) 0;
        for (int oy = oyLo; oy <= oyHi; oy++) {
            for (int ox = oxLo; ox <= oxHi; ox++) {
                if (K(pool_argmax)(plane, w, kh, kw, oy * sh, ox * sw) == self) {
                    s += dy[((long long) pl * outH + oy) * outW + ox];
                }
            }
        }
        dx[i] = s;
    }
}
