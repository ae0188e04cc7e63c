package dev.tandem.backend.cuda;

import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;

import java.util.Arrays;
import java.util.Locale;

/**
 * The GEMM kernel against the device's FP32 peak, for {@code scripts/gpu-check}: square float products of 1024,
 * 2048 and 4096 and the convolution-shaped product of W2 at batch 8 (64 × 180 · 180 × 8192), median of 10 after 3
 * warm-up calls, each timed to a host copy that waits for the stream. One JSON line per size.
 */
public final class GemmThroughputMain {
    private GemmThroughputMain() {
    }

    public static void main(String[] args) {
        CudaBackend be = CudaBackend.create();
        double peak = be.peakFp32Gflops();
        System.out.println("device: " + be.describe() + "; FP32 peak " + Math.round(peak) + " GFLOP/s");
        int[][] shapes = {{1024, 1024, 1024}, {2048, 2048, 2048}, {4096, 4096, 4096}, {64, 8192, 180}};
        Tensor one = be.zeros(DType.FLOAT32, 1);
        for (int[] s : shapes) {
            int m = s[0];
            int n = s[1];
            int k = s[2];
            Tensor a = be.zeros(DType.FLOAT32, m, k);
            Tensor b = be.zeros(DType.FLOAT32, k, n);
            Tensor c = be.zeros(DType.FLOAT32, m, n);
            be.fill(a, 0.5);
            be.fill(b, 0.25);
            double[] ms = new double[10];
            for (int i = -3; i < ms.length; i++) {
                be.sum(one); // drains the stream
                long t0 = System.nanoTime();
                be.gemm(false, false, 1, a, b, 0, c);
                be.sum(one);
                if (i >= 0) {
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
            }
            double expect = 0.125 * k; // every element of C is Σ 0.5 · 0.25
            double check = be.sum(c) / ((double) m * n);
            Arrays.sort(ms);
            double med = ms[ms.length / 2];
            double gflops = 2.0 * m * n * k / (med / 1e3) / 1e9;
            System.out.printf(Locale.ROOT, "{\"gemm\": \"%dx%dx%d\", \"median_ms\": %.4f, \"gflops\": %.1f, "
                    + "\"peak_gflops\": %.1f, \"fraction_of_peak\": %.3f, \"mean_value\": %.4f, \"expected\": %.4f}%n",
                    m, n, k, med, gflops, peak, gflops / peak, check, expect);
        }
    }
}
