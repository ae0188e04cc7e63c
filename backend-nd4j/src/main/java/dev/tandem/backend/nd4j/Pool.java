package dev.tandem.backend.nd4j;

import dev.tandem.learning.tensor.ConvGeometry;

import java.util.Arrays;

/**
 * Max pooling on primitive arrays, the reference algorithm exactly: no padding, each window's first maximal element
 * in row-major order (strictly greater replaces), backward routes dy there and sums where windows overlap.
 */
final class Pool {
    private Pool() {
    }

    /** Planes [from, to) only: disjoint ranges can run in parallel. */
    static void forward(float[] x, int from, int to, int h, int w, ConvGeometry g, float[] y) {
        int kh = g.kernelH();
        int kw = g.kernelW();
        int o = from * g.outH() * g.outW();
        for (int p = from; p < to; p++) {
            int base = p * h * w;
            for (int oy = 0; oy < g.outH(); oy++) {
                int rowBase = base + oy * g.strideH() * w;
                for (int ox = 0; ox < g.outW(); ox++) {
                    int start = rowBase + ox * g.strideW();
                    float best = x[start];
                    for (int ky = 0; ky < kh; ky++) {
                        for (int i = start + ky * w, end = i + kw; i < end; i++) {
                            float v = x[i];
                            best = v > best ? v : best; // not Math.max: a NaN after the first element is skipped
                        }
                    }
                    y[o++] = best;
                }
            }
        }
    }

    static void forward(double[] x, int planes, int h, int w, ConvGeometry g, double[] y) {
        int kh = g.kernelH();
        int kw = g.kernelW();
        int o = 0;
        for (int p = 0; p < planes; p++) {
            int base = p * h * w;
            for (int oy = 0; oy < g.outH(); oy++) {
                int rowBase = base + oy * g.strideH() * w;
                for (int ox = 0; ox < g.outW(); ox++) {
                    int start = rowBase + ox * g.strideW();
                    double best = x[start];
                    for (int ky = 0; ky < kh; ky++) {
                        for (int i = start + ky * w, end = i + kw; i < end; i++) {
                            double v = x[i];
                            best = v > best ? v : best; // not Math.max: a NaN after the first element is skipped
                        }
                    }
                    y[o++] = best;
                }
            }
        }
    }

    /** Planes [from, to) only (their part of dx is zeroed first): disjoint ranges can run in parallel. */
    static void backward(float[] x, int from, int to, int h, int w, ConvGeometry g, float[] dy, float[] dx) {
        Arrays.fill(dx, from * h * w, to * h * w, 0f);
        int kh = g.kernelH();
        int kw = g.kernelW();
        int o = from * g.outH() * g.outW();
        for (int p = from; p < to; p++) {
            int base = p * h * w;
            for (int oy = 0; oy < g.outH(); oy++) {
                int rowBase = base + oy * g.strideH() * w;
                for (int ox = 0; ox < g.outW(); ox++) {
                    int start = rowBase + ox * g.strideW();
                    int at = start;
                    float best = x[start];
                    for (int ky = 0; ky < kh; ky++) {
                        for (int i = start + ky * w, end = i + kw; i < end; i++) {
                            float v = x[i];
                            boolean better = v > best;
                            at = better ? i : at;
                            best = better ? v : best;
                        }
                    }
                    dx[at] += dy[o++];
                }
            }
        }
    }

    static void backward(double[] x, int planes, int h, int w, ConvGeometry g, double[] dy, double[] dx) {
        Arrays.fill(dx, 0.0);
        int kh = g.kernelH();
        int kw = g.kernelW();
        int o = 0;
        for (int p = 0; p < planes; p++) {
            int base = p * h * w;
            for (int oy = 0; oy < g.outH(); oy++) {
                int rowBase = base + oy * g.strideH() * w;
                for (int ox = 0; ox < g.outW(); ox++) {
                    int start = rowBase + ox * g.strideW();
                    int at = start;
                    double best = x[start];
                    for (int ky = 0; ky < kh; ky++) {
                        for (int i = start + ky * w, end = i + kw; i < end; i++) {
                            double v = x[i];
                            boolean better = v > best;
                            at = better ? i : at;
                            best = better ? v : best;
                        }
                    }
                    dx[at] += dy[o++];
                }
            }
        }
    }
}
