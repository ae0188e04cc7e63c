// Element-wise kernels; included once per element type T with K(name) giving the exported name.

extern "C" __global__ void K(fill)(T* y, double v, int n) {
    T tv = (T) v;
    FOR_EACH(i, n) { y[i] = tv; }
}

// y = a·x + b·y; with b = 0, y is written without being read (a NaN in y does not survive), as the SPI says.
extern "C" __global__ void K(axpby)(double a, const T* x, double b, T* y, int n) {
    T ta = (T) a;
    T tb = (T) b;
    if (b == 0) {
        FOR_EACH(i, n) { y[i] = ta * x[i]; }
    } else {
        FOR_EACH(i, n) { y[i] = ta * x[i] + tb * y[i]; }
    }
}

extern "C" __global__ void K(multiply)(const T* x, const T* y, T* out, int n) {
    FOR_EACH(i, n) { out[i] = x[i] * y[i]; }
}

extern "C" __global__ void K(divide)(const T* x, const T* y, T* out, int n) {
    FOR_EACH(i, n) { out[i] = x[i] / y[i]; }
}

extern "C" __global__ void K(unary)(int op, const T* x, T* y, int n) {
    FOR_EACH(i, n) { y[i] = unary_apply<T>(op, x[i]); }
}

// t = min(max(t, lo), hi), compared in double as the Java reference does; a NaN stays NaN.
extern "C" __global__ void K(clamp)(T* t, double lo, double hi, int n) {
    T tlo = (T) lo;
    T thi = (T) hi;
    FOR_EACH(i, n) {
        double v = (double) t[i];
        if (v < lo) {
            t[i] = tlo;
        } else if (v > hi) {
            t[i] = thi;
        }
    }
}

extern "C" __global__ void K(add_scalar)(T* t, double c, int n) {
    T tc = (T) c;
    FOR_EACH(i, n) { t[i] = t[i] + tc; }
}

// out[n, c, s] = x[n, c, s] · scale[c]; spatial = S, channels = C.
extern "C" __global__ void K(scale_channels)(const T* x, const T* scale, T* out, int n, int channels, int spatial) {
    FOR_EACH(i, n) { out[i] = x[i] * scale[(i / spatial) % channels]; }
}

// y[n, c, s] += bias[c].
extern "C" __global__ void K(add_bias)(T* y, const T* bias, int n, int channels, int spatial) {
    FOR_EACH(i, n) { y[i] = y[i] + bias[(i / spatial) % channels]; }
}

extern "C" __global__ void K(activation_forward)(int f, const T* z, T* y, int n) {
    FOR_EACH(i, n) { y[i] = act_apply<T>(f, z[i]); }
}

extern "C" __global__ void K(activation_backward)(int f, const T* z, const T* y, const T* dy, T* dz, int n) {
    FOR_EACH(i, n) { dz[i] = dy[i] * act_slope<T>(f, z[i], y[i]); }
}

// y = f(k·z), k = scale·slope[j] rounded to T, j = 0 (layer-wise, per = 1) or i mod per (neuron-wise).
extern "C" __global__ void K(adaptive_forward)(int f, const T* z, const T* slope, double scale, T* y, int n, int per) {
    FOR_EACH(i, n) {
        T k = (T) (scale * (double) slope[per == 1 ? 0 : i % per]);
        y[i] = act_apply<T>(f, k * z[i]);
    }
}

// d = dy·f'(k·z); dz = k·d; dz_times_z = d·z (summed per slope afterwards).
extern "C" __global__ void K(adaptive_backward)(int f, const T* z, const T* slope, double scale, const T* y,
                                                const T* dy, T* dz, T* dTimesZ, int n, int per) {
    FOR_EACH(i, n) {
        T k = (T) (scale * (double) slope[per == 1 ? 0 : i % per]);
        T zi = z[i];
        T d = dy[i] * act_slope<T>(f, k * zi, y[i]);
        dz[i] = k * d;
        dTimesZ[i] = d * zi;
    }
}

// Channels [srcFirst, srcFirst + count) of src [N, Cs, per] into [dstFirst, ...) of dst [N, Cd, per]; adds when
// accumulate != 0.
extern "C" __global__ void K(copy_channels)(const T* src, int srcFirst, int srcChannels, T* dst, int dstFirst,
                                            int dstChannels, int count, int per, int n, int accumulate) {
    int block = count * per;
    FOR_EACH(i, n) {
        int b = i / block;
        int r = i - b * block;
        int so = (b * srcChannels + srcFirst) * per + r;
        int d = (b * dstChannels + dstFirst) * per + r;
        dst[d] = accumulate ? dst[d] + src[so] : src[so];
    }
}

// out[c, o, i, j] = w[o, c, kh − 1 − i, kw − 1 − j].
extern "C" __global__ void K(flip_conv_weights)(const T* w, T* out, int o, int c, int kh, int kw, int n) {
    FOR_EACH(idx, n) {
        int j = idx % kw;
        int i = (idx / kw) % kh;
        int oc = (idx / (kw * kh)) % o;
        int ic = idx / (kw * kh * o);
        out[idx] = w[((oc * c + ic) * kh + (kh - 1 - i)) * kw + (kw - 1 - j)];
    }
}

extern "C" __global__ void K(counter_uniform)(long long seed, long long stride, long long offset, T* out, int n) {
    FOR_EACH(i, n) { out[i] = (T) tandem_uniform(seed, stride * (long long) i + offset); }
}

// Inverted dropout: 0 with probability p, else 1/(1 − p); the decision is CounterRng.uniform(seed, i) < p.
extern "C" __global__ void K(dropout_mask)(long long seed, double p, T* mask, int n) {
    T keep = (T) (1.0 / (1.0 - p));
    FOR_EACH(i, n) { mask[i] = tandem_uniform(seed, (long long) i) < p ? (T) 0 : keep; }
}

// Salp-swarm leader move (ALGORITHMS.md §2.2), in double as the reference.
extern "C" __global__ void K(salp_leader_move)(const T* food, T* salp, long long seed, double c1, double lb,
                                               double ub, int n) {
    double width = ub - lb;
    FOR_EACH(j, n) {
        double c2 = tandem_uniform(seed, 2LL * j);
        double c3 = tandem_uniform(seed, 2LL * j + 1);
        double step = c1 * (width * c2 + lb);
        double f = (double) food[j];
        salp[j] = (T) (c3 < 0.5 ? f + step : f - step);
    }
}

// Row-wise softmax of [rows, cols], one thread per row (the models' rows are short: classes).
extern "C" __global__ void K(softmax_rows)(const T* x, T* y, int rows, int cols) {
    FOR_EACH(r, rows) {
        const T* xr = x + (long long) r * cols;
        T* yr = y + (long long) r * cols;
        double mx = -INFINITY;
        for (int c = 0; c < cols; c++) {
            mx = fmax(mx, (double) xr[c]);
        }
        double s = 0;
        for (int c = 0; c < cols; c++) {
            double e = exp((double) xr[c] - mx);
            yr[c] = (T) e;
            s += e;
        }
        for (int c = 0; c < cols; c++) {
            yr[c] = (T) (exp((double) xr[c] - mx) / s);
        }
    }
}

extern "C" __global__ void K(softmax_rows_backward)(const T* y, const T* dy, T* dx, int rows, int cols) {
    FOR_EACH(r, rows) {
        long long base = (long long) r * cols;
        double s = 0;
        for (int c = 0; c < cols; c++) {
            s += (double) dy[base + c] * (double) y[base + c];
        }
        for (int c = 0; c < cols; c++) {
            dx[base + c] = (T) ((double) y[base + c] * ((double) dy[base + c] - s));
        }
    }
}

// Softmax cross-entropy per row: writes the softmax into probs and Σ_c t·(lse − z) into rowLoss[r] (double).
extern "C" __global__ void K(softmax_cross_entropy)(const T* z, const T* t, T* probs, double* rowLoss, int rows,
                                                    int cols) {
    FOR_EACH(r, rows) {
        long long base = (long long) r * cols;
        double mx = -INFINITY;
        for (int c = 0; c < cols; c++) {
            mx = fmax(mx, (double) z[base + c]);
        }
        double s = 0;
        for (int c = 0; c < cols; c++) {
            s += exp((double) z[base + c] - mx);
        }
        double lse = mx + log(s);
        double loss = 0;
        for (int c = 0; c < cols; c++) {
            double zc = (double) z[base + c];
            probs[base + c] = (T) exp(zc - lse);
            double tc = (double) t[base + c];
            if (tc != 0) {
                loss += tc * (lse - zc);
            }
        }
        rowLoss[r] = loss;
    }
}
