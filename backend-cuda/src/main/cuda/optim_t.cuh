// Optimizer updates, each in one pass and in double as the reference (ALGORITHMS.md §4, §5).

// LRSGD inner step; with proximal = 0 (anchor may then be null) it is heavy-ball SGD exactly.
extern "C" __global__ void K(proximal_sgd_update)(T* param, const T* grad, const T* anchor, T* buf, double lr,
                                                  double momentum, double weightDecay, double proximal, int n) {
    FOR_EACH(i, n) {
        double w = (double) param[i];
        double d = (double) grad[i] + weightDecay * w;
        if (proximal != 0) {
            d += proximal * (w - (double) anchor[i]);
        }
        double v = momentum * (double) buf[i] + d;
        buf[i] = (T) v;
        param[i] = (T) (w - lr * v);
    }
}

// Adam with bias corrections c1 = 1 − β1^t, c2 = 1 − β2^t (computed on the host).
extern "C" __global__ void K(adam_update)(T* param, const T* grad, T* m, T* v, double lr, double beta1, double beta2,
                                          double eps, double c1, double c2, int n) {
    FOR_EACH(i, n) {
        double g = (double) grad[i];
        double mi = beta1 * (double) m[i] + (1 - beta1) * g;
        double vi = beta2 * (double) v[i] + (1 - beta2) * g * g;
        m[i] = (T) mi;
        v[i] = (T) vi;
        param[i] = (T) ((double) param[i] - lr * (mi / c1) / (sqrt(vi / c2) + eps));
    }
}

// YamAdam (every right-hand side uses the old values); the L1 norms of h come from two reductions around it.
extern "C" __global__ void K(yam_adam_update)(T* param, const T* grad, T* m, T* v, T* s, T* h, double beta,
                                              double eps, int n) {
    double keep = 1 - beta;
    FOR_EACH(i, n) {
        double g = (double) grad[i];
        double mOld = (double) m[i];
        double hOld = (double) h[i];
        double dev = g - mOld;
        double mi = beta * mOld + keep * g;
        double vi = beta * (double) v[i] + keep * dev * dev;
        double si = beta * (double) s[i] + keep * hOld * hOld;
        double hi = mi * sqrt((si + eps) / (vi + eps));
        m[i] = (T) mi;
        v[i] = (T) vi;
        s[i] = (T) si;
        h[i] = (T) hi;
        param[i] = (T) ((double) param[i] - hi);
    }
}
