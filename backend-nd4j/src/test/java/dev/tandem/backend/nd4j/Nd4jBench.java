package dev.tandem.backend.nd4j;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.ConvGeometry;
import dev.tandem.learning.tensor.ConvGeometry.Padding;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Measurements behind the thresholds and choices in {@link Nd4jBackend} (not a unit test; run by hand, see
 * README.md):
 * <pre>
 * mvn -q -o -pl backend-nd4j dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * mvn -q -o -pl backend-nd4j test-compile
 * java -Xmx3g -cp backend-nd4j/target/test-classes:backend-nd4j/target/classes:$(cat /tmp/cp.txt) \
 *      dev.tandem.backend.nd4j.Nd4jBench [gemm|small|conv|quick|pool]
 * </pre>
 * Times are the best of five loops of at least 0.2 s each (the Java reference convolutions: one run after a
 * warm-up).
 */
public final class Nd4jBench {
    private static final Random RNG = new Random(7);

    private Nd4jBench() {
    }

    public static void main(String[] args) {
        String what = args.length > 0 ? args[0] : "all";
        System.out.println(Nd4jBackend.describe());
        System.out.println("JVM: " + Runtime.version() + ", " + Runtime.getRuntime().availableProcessors() + " CPUs");
        JavaBackend java = new JavaBackend();
        Nd4jBackend nd = new Nd4jBackend(0, 0);
        if (what.equals("all") || what.equals("gemm")) {
            gemm(java, nd);
        }
        if (what.equals("all") || what.equals("small")) {
            smallConv(java, nd);
        }
        if (what.equals("all") || what.equals("conv")) {
            conv(java, nd);
        }
        if (what.equals("quick")) {
            quick(nd);
        }
        if (what.equals("shapes")) {
            // the "java" side: Tandem's own paths (OpenBLAS products), oneDNN off
            System.setProperty(Nd4jBackend.ONEDNN_PROPERTY, "off");
            Nd4jBackend own = new Nd4jBackend(0, 0);
            System.clearProperty(Nd4jBackend.ONEDNN_PROPERTY);
            workloadShapes(own, args.length > 1 ? Integer.parseInt(args[1]) : 5, args.length > 2 ? args[2] : "");
            own.close();
        }
        if (what.equals("all") || what.equals("pool")) {
            pool(java, nd);
        }
        nd.close();
    }

    // ---- gemm threshold -------------------------------------------------------------------------------

    private static void gemm(JavaBackend java, Nd4jBackend nd) {
        System.out.println("\n== gemm: Java i-k-j loop vs OpenBLAS on reused buffers (µs per call) ==");
        int[][] shapes = {{4, 4, 4}, {8, 8, 8}, {12, 12, 12}, {16, 16, 16}, {24, 24, 24}, {32, 32, 32}, {64, 64, 64},
            {128, 128, 128}, {256, 256, 256}, {1, 16, 16}, {1, 32, 64}, {1, 64, 64}, {1, 128, 256}, {1, 784, 128},
            {64, 10, 128}, {64, 128, 784}, {8, 8, 64}, {4, 32, 32}, {2, 64, 32}};
        for (DType dt : DType.values()) {
            System.out.printf(Locale.ROOT, "%-6s %-14s %8s %10s %10s %10s %10s%n", dt == DType.FLOAT32 ? "float" : "double",
                    "m x n x k", "MACs", "java NN", "blas NN", "java TT", "blas TT");
            for (int[] s : shapes) {
                int m = s[0];
                int n = s[1];
                int k = s[2];
                Tensor a = rand(java, dt, m, k);
                Tensor b = rand(java, dt, k, n);
                Tensor at = rand(java, dt, k, m);
                Tensor bt = rand(java, dt, n, k);
                Tensor c = rand(java, dt, m, n);
                double jNN = time(() -> java.gemm(false, false, 1, a, b, 0, c));
                double nNN = time(() -> nd.gemm(false, false, 1, a, b, 0, c));
                double jTT = time(() -> java.gemm(true, true, 1, at, bt, 0.5, c));
                double nTT = time(() -> nd.gemm(true, true, 1, at, bt, 0.5, c));
                System.out.printf(Locale.ROOT, "%-6s %-14s %8d %10.2f %10.2f %10.2f %10.2f%n", "", m + "x" + n + "x" + k,
                        (long) m * n * k, jNN, nNN, jTT, nTT);
            }
        }
    }

    // ---- small convolutions (conv threshold) ------------------------------------------------------------

    private static void smallConv(JavaBackend java, Nd4jBackend nd) {
        System.out.println("\n== small convolutions, forward + backward (µs per pair) ==");
        int[][] cases = {{1, 1, 8, 8, 2, 3}, {1, 2, 8, 8, 4, 3}, {1, 4, 12, 12, 4, 3}, {1, 4, 16, 16, 8, 3},
            {2, 8, 16, 16, 8, 3}, {4, 8, 16, 16, 16, 5}, {1, 1, 28, 28, 32, 5}, {1, 32, 14, 14, 64, 5}};
        System.out.printf(Locale.ROOT, "%-22s %10s %12s %12s%n", "[n,c,h,w]->o kxk", "MACs", "java", "nd4j");
        for (int[] s : cases) {
            ConvGeometry g = ConvGeometry.of(s[2], s[3], s[5], s[5], 1, 1, Padding.SAME);
            long macs = g.macs(s[1], s[4]) * s[0];
            double tj = convPair(java, DType.FLOAT32, s[0], s[1], s[4], g, true);
            double tn = convPair(nd, DType.FLOAT32, s[0], s[1], s[4], g, true);
            System.out.printf(Locale.ROOT, "%-22s %10d %12.1f %12.1f%n",
                    "[" + s[0] + "," + s[1] + "," + s[2] + "," + s[3] + "]->" + s[4] + " " + s[5] + "x" + s[5], macs, tj, tn);
        }
    }

    private static double convPair(Backend be, DType dt, int n, int c, int o, ConvGeometry g, boolean needDx) {
        Tensor x = rand(be, dt, n, c, g.inH(), g.inW());
        Tensor w = rand(be, dt, o, c, g.kernelH(), g.kernelW());
        Tensor bias = rand(be, dt, o);
        Tensor y = be.zeros(dt, n, o, g.outH(), g.outW());
        Tensor dx = needDx ? be.zeros(dt, n, c, g.inH(), g.inW()) : null;
        Tensor dw = be.zeros(dt, o, c, g.kernelH(), g.kernelW());
        Tensor db = be.zeros(dt, o);
        return time(() -> {
            be.conv2dForward(x, w, bias, g, y);
            be.conv2dBackward(x, w, y, g, dx, dw, db);
        });
    }

    // ---- toolkit CNN and conv1d ---------------------------------------------------------------------------

    private static void conv(JavaBackend java, Nd4jBackend nd) {
        System.out.println("\n== toolkit CNN convolutions at batch 64 and the forecaster conv1d (ms) ==");
        ConvGeometry g1 = ConvGeometry.of(28, 28, 5, 5, 1, 1, Padding.SAME);
        ConvGeometry g2 = ConvGeometry.of(14, 14, 5, 5, 1, 1, Padding.SAME);
        ConvGeometry g3 = ConvGeometry.of(1, 2048, 1, 64, 1, 16, Padding.SAME);
        Object[][] cases = {
            {"conv1 [64,1,28,28]->32 5x5 SAME (no dx)", 64, 1, 32, g1, false},
            {"conv2 [64,32,14,14]->64 5x5 SAME", 64, 32, 64, g2, true},
            {"conv1d [32,4,1,2048]->16 1x64 s16 SAME", 32, 4, 16, g3, true},
        };
        for (DType dt : DType.values()) {
            for (Object[] cs : cases) {
                int n = (int) cs[1];
                int c = (int) cs[2];
                int o = (int) cs[3];
                ConvGeometry g = (ConvGeometry) cs[4];
                boolean needDx = (boolean) cs[5];
                double gmac = g.macs(c, o) * (double) n / 1e9;
                double[] tn = forwardBackward(nd, dt, n, c, o, g, needDx, 0.5, false);
                double[] to = forwardBackward(nd, dt, n, c, o, g, needDx, 0.5, true);
                double[] tj = forwardBackward(java, dt, n, c, o, g, needDx, 0.0, false);
                System.out.printf(Locale.ROOT, "%-7s %-42s %.3f GMAC/pass%n    Java reference fwd %8.1f bwd %8.1f |"
                                + " libnd4j conv2d ops fwd %7.2f bwd %7.2f | Nd4jBackend fwd %7.2f bwd %7.2f"
                                + "  (%.0fx Java, %.1fx ops, %.1f GFLOP/s)%n",
                        dt == DType.FLOAT32 ? "float" : "double", cs[0], gmac, tj[0], tj[1], to[0], to[1], tn[0], tn[1],
                        (tj[0] + tj[1]) / (tn[0] + tn[1]), (to[0] + to[1]) / (tn[0] + tn[1]),
                        2 * gmac * (needDx ? 3 : 2) / ((tn[0] + tn[1]) / 1e3));
            }
        }
        // raw libnd4j op time on resident arrays: what the heap copies cost on top
        INDArray x = Nd4j.rand(DataType.FLOAT, 64, 32, 14, 14);
        INDArray w = Nd4j.rand(DataType.FLOAT, 64, 32, 5, 5);
        INDArray b = Nd4j.rand(DataType.FLOAT, 64);
        INDArray y = Nd4j.create(DataType.FLOAT, 64, 64, 14, 14);
        int[] args = LibNd4jConv.convArgs(g2);
        double raw = time(() -> Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(x, w, b).addOutputs(y)
                .addIntegerArguments(args).build())) / 1e3;
        INDArray dx = Nd4j.create(DataType.FLOAT, 64, 32, 14, 14);
        INDArray dw = Nd4j.create(DataType.FLOAT, 64, 32, 5, 5);
        INDArray db = Nd4j.create(DataType.FLOAT, 64);
        double rawBp = time(() -> Nd4j.exec(DynamicCustomOp.builder("conv2d_bp").addInputs(x, w, b, y)
                .addOutputs(dx, dw, db).addIntegerArguments(args).build())) / 1e3;
        System.out.printf(Locale.ROOT, "conv2 libnd4j op alone (arrays resident): fwd %.2f ms, bwd %.2f ms%n", raw, rawBp);
    }

    /**
     * The convolutions of W1, W2 and W3 in float: Nd4jBackend's Java-side paths against libnd4j's conv2d/conv2d_bp
     * ops (with the copies in and out), the two alternating in each of {@code rounds} rounds; medians in ms.
     */
    private static void workloadShapes(Nd4jBackend nd, int rounds, String filter) {
        Object[][] cases = {
            {"W1 conv1 64x1->32 28x28 5x5 (no dx)", 64, 1, 32, ConvGeometry.of(28, 28, 5, 5, 1, 1, Padding.SAME), false},
            // the toolkit CNN has a batch norm before conv1, so its backward pass needs dx
            {"W1 conv1 64x1->32 28x28 5x5", 64, 1, 32, ConvGeometry.of(28, 28, 5, 5, 1, 1, Padding.SAME), true},
            // few input channels: where oneDNN starts to pay (Nd4jBackend.ONEDNN_MIN_CHANNELS)
            {"probe 64x2->32 28x28 5x5", 64, 2, 32, ConvGeometry.of(28, 28, 5, 5, 1, 1, Padding.SAME), true},
            {"probe 64x4->32 28x28 5x5", 64, 4, 32, ConvGeometry.of(28, 28, 5, 5, 1, 1, Padding.SAME), true},
            {"probe 64x8->32 28x28 5x5", 64, 8, 32, ConvGeometry.of(28, 28, 5, 5, 1, 1, Padding.SAME), true},
            {"probe 64x16->32 28x28 5x5", 64, 16, 32, ConvGeometry.of(28, 28, 5, 5, 1, 1, Padding.SAME), true},
            {"W1 conv2 64x32->64 14x14 5x5", 64, 32, 64, ConvGeometry.of(14, 14, 5, 5, 1, 1, Padding.SAME), true},
            {"W2 L1 1x20->64 32x32 3x3", 1, 20, 64, ConvGeometry.of(32, 32, 3, 3, 1, 1, Padding.SAME), true},
            {"W2 L2 1x32->64 32x32 3x3", 1, 32, 64, ConvGeometry.of(32, 32, 3, 3, 1, 1, Padding.SAME), true},
            {"W2 dxh 1x64->20 32x32 3x3", 1, 64, 20, ConvGeometry.of(32, 32, 3, 3, 1, 1, Padding.SAME), false},
            {"W2 L1 8x20->64 32x32 3x3", 8, 20, 64, ConvGeometry.of(32, 32, 3, 3, 1, 1, Padding.SAME), true},
            {"W2 dW 64x20->64 32x32 3x3", 64, 20, 64, ConvGeometry.of(32, 32, 3, 3, 1, 1, Padding.SAME), false},
            {"W2 dxh 8x64->20 32x32 3x3", 8, 64, 20, ConvGeometry.of(32, 32, 3, 3, 1, 1, Padding.SAME), false},
            {"W2 dh 8x64->16 32x32 3x3", 8, 64, 16, ConvGeometry.of(32, 32, 3, 3, 1, 1, Padding.SAME), false},
            {"W2 dxh 8x64->32 32x32 3x3", 8, 64, 32, ConvGeometry.of(32, 32, 3, 3, 1, 1, Padding.SAME), false},
            {"W2 dh 1x64->16 32x32 3x3", 1, 64, 16, ConvGeometry.of(32, 32, 3, 3, 1, 1, Padding.SAME), false},
            {"W2 out 8x32->4 32x32 1x1", 8, 32, 4, ConvGeometry.of(32, 32, 1, 1, 1, 1, Padding.SAME), false},
            {"W2 out 64x32->4 32x32 1x1 dW", 64, 32, 4, ConvGeometry.of(32, 32, 1, 1, 1, 1, Padding.SAME), false},
            {"W3 conv1 32x4->16 1x2048 k64 s16", 32, 4, 16, ConvGeometry.of(1, 2048, 1, 64, 1, 16, Padding.SAME), false},
            {"W3 conv2 32x16->32 1x64 k3", 32, 16, 32, ConvGeometry.of(1, 64, 1, 3, 1, 1, Padding.SAME), true},
            {"W3 conv3 32x32->64 1x32 k3", 32, 32, 64, ConvGeometry.of(1, 32, 1, 3, 1, 1, Padding.SAME), true},
            {"W3 conv4 32x64->64 1x16 k3", 32, 64, 64, ConvGeometry.of(1, 16, 1, 3, 1, 1, Padding.SAME), true},
            {"W3 conv5 32x64->64 1x8 k3 valid", 32, 64, 64, ConvGeometry.of(1, 8, 1, 3, 1, 1, Padding.VALID), true},
        };
        System.out.printf(Locale.ROOT, "%-34s %9s %9s | %9s %9s   (medians of %d alternating rounds, ms)%n", "shape",
                "java fwd", "java bwd", "ops fwd", "ops bwd", rounds);
        for (Object[] cs : cases) {
            if (!((String) cs[0]).contains(filter)) {
                continue;
            }
            int n = (int) cs[1];
            int c = (int) cs[2];
            int o = (int) cs[3];
            ConvGeometry g = (ConvGeometry) cs[4];
            boolean needDx = (boolean) cs[5];
            double[][] r = new double[4][rounds];
            for (int i = 0; i < rounds; i++) {
                double[] a = forwardBackward(nd, DType.FLOAT32, n, c, o, g, needDx, 0.1, false);
                double[] b = forwardBackward(nd, DType.FLOAT32, n, c, o, g, needDx, 0.1, true);
                r[0][i] = a[0];
                r[1][i] = a[1];
                r[2][i] = b[0];
                r[3][i] = b[1];
            }
            for (double[] v : r) {
                Arrays.sort(v);
            }
            System.out.printf(Locale.ROOT, "%-34s %9.3f %9.3f | %9.3f %9.3f%n", cs[0], r[0][rounds / 2],
                    r[1][rounds / 2], r[2][rounds / 2], r[3][rounds / 2]);
        }
    }

    /** A short run of the three toolkit/forecaster shapes in float, for trying thread settings. */
    private static void quick(Nd4jBackend nd) {
        ConvGeometry g1 = ConvGeometry.of(28, 28, 5, 5, 1, 1, Padding.SAME);
        ConvGeometry g2 = ConvGeometry.of(14, 14, 5, 5, 1, 1, Padding.SAME);
        ConvGeometry g3 = ConvGeometry.of(1, 2048, 1, 64, 1, 16, Padding.SAME);
        String[] impls = {"Nd4jBackend (Java im2col + OpenBLAS)", "libnd4j conv2d/conv2d_bp ops"};
        for (DType dt : DType.values()) {
            for (int impl = 0; impl < 2; impl++) {
                boolean ops = impl == 1;
                double[] a = forwardBackward(nd, dt, 64, 1, 32, g1, false, 0.5, ops);
                double[] b = forwardBackward(nd, dt, 64, 32, 64, g2, true, 0.5, ops);
                double[] c = forwardBackward(nd, dt, 32, 4, 16, g3, true, 0.5, ops);
                System.out.printf(Locale.ROOT, "%-6s %-37s ms: conv1 fwd %6.2f bwd %6.2f | conv2 fwd %6.2f bwd %6.2f |"
                                + " conv1d fwd %6.2f bwd %6.2f%n", dt == DType.FLOAT32 ? "float" : "double", impls[impl],
                        a[0], a[1], b[0], b[1], c[0], c[1]);
            }
        }
    }

    /** {forward ms, backward ms}; minSeconds 0 runs each once after one warm-up (the Java reference is slow). */
    private static double[] forwardBackward(Backend be, DType dt, int n, int c, int o, ConvGeometry g, boolean needDx,
                                            double minSeconds, boolean viaOps) {
        Tensor x = rand(be, dt, n, c, g.inH(), g.inW());
        Tensor w = rand(be, dt, o, c, g.kernelH(), g.kernelW());
        Tensor bias = rand(be, dt, o);
        Tensor y = be.zeros(dt, n, o, g.outH(), g.outW());
        Tensor dx = needDx ? be.zeros(dt, n, c, g.inH(), g.inW()) : null;
        Tensor dw = be.zeros(dt, o, c, g.kernelH(), g.kernelW());
        Tensor db = be.zeros(dt, o);
        LibNd4jConv ops = new LibNd4jConv();
        Runnable fwd = viaOps ? () -> ops.forward(x, w, bias, g, y) : () -> be.conv2dForward(x, w, bias, g, y);
        Runnable bwd = viaOps ? () -> ops.backward(x, w, y, g, dx, dw, db) : () -> be.conv2dBackward(x, w, y, g, dx, dw, db);
        try {
            if (minSeconds <= 0) {
                fwd.run();
                bwd.run();
                long t0 = System.nanoTime();
                fwd.run();
                long t1 = System.nanoTime();
                bwd.run();
                long t2 = System.nanoTime();
                return new double[] {(t1 - t0) / 1e6, (t2 - t1) / 1e6};
            }
            return minSeconds < 0.2 ? new double[] {timeShort(fwd) / 1e3, timeShort(bwd) / 1e3}
                    : new double[] {time(fwd) / 1e3, time(bwd) / 1e3};
        } finally {
            ops.close();
        }
    }

    // ---- pooling and batch norm: do they deserve ND4J? ------------------------------------------------

    private static void pool(JavaBackend java, Nd4jBackend nd) {
        System.out.println("\n== max pooling and batch norm at the toolkit shapes (ms): Java vs libnd4j incl. copies ==");
        int[][] shapes = {{64, 32, 28, 28}, {64, 64, 14, 14}};
        for (int[] s : shapes) {
            ConvGeometry g = ConvGeometry.of(s[2], s[3], 2, 2, 2, 2, Padding.VALID);
            Tensor x = rand(java, DType.FLOAT32, s);
            Tensor y = java.zeros(DType.FLOAT32, s[0], s[1], g.outH(), g.outW());
            Tensor dx = java.zeros(DType.FLOAT32, s);
            double jf = time(() -> java.maxPoolForward(x, g, y)) / 1e3;
            double jb = time(() -> java.maxPoolBackward(x, y, g, dx)) / 1e3;
            double af = time(() -> nd.maxPoolForward(x, g, y)) / 1e3;
            double ab = time(() -> nd.maxPoolBackward(x, y, g, dx)) / 1e3;
            INDArray xa = Nd4j.create(DataType.FLOAT, s[0], s[1], s[2], s[3]);
            INDArray ya = Nd4j.create(DataType.FLOAT, s[0], s[1], g.outH(), g.outW());
            INDArray dxa = Nd4j.create(DataType.FLOAT, s[0], s[1], s[2], s[3]);
            float[] xh = x.toFloatArray();
            float[] yh = y.toFloatArray();
            float[] dxh = new float[xh.length];
            // maxpool2d iArgs: kH, kW, sH, sW, pH, pW, dH, dW, sameMode, extraParam0 (unused for max), isNHWC
            int[] pargs = {2, 2, 2, 2, 0, 0, 1, 1, 0, 0, 0};
            double nf = time(() -> {
                xa.data().asNioFloat().put(xh);
                Nd4j.exec(DynamicCustomOp.builder("maxpool2d").addInputs(xa).addOutputs(ya).addIntegerArguments(pargs)
                        .build());
                ya.data().asNioFloat().get(yh);
            }) / 1e3;
            double nb = time(() -> {
                xa.data().asNioFloat().put(xh);
                ya.data().asNioFloat().put(yh);
                Nd4j.exec(DynamicCustomOp.builder("maxpool2d_bp").addInputs(xa, ya).addOutputs(dxa)
                        .addIntegerArguments(pargs).build());
                dxa.data().asNioFloat().get(dxh);
            }) / 1e3;
            int ch = s[1];
            Tensor gamma = rand(java, DType.FLOAT32, ch);
            Tensor beta = rand(java, DType.FLOAT32, ch);
            Tensor rm = java.zeros(DType.FLOAT32, ch);
            Tensor rv = java.zeros(DType.FLOAT32, ch);
            Tensor xHat = java.zeros(DType.FLOAT32, s);
            Tensor mean = java.zeros(DType.FLOAT32, ch);
            Tensor inv = java.zeros(DType.FLOAT32, ch);
            Tensor by = java.zeros(DType.FLOAT32, s);
            double bnf = time(() -> java.batchNormTrainForward(x, gamma, beta, 1e-5, 0.1, rm, rv, xHat, mean, inv, by))
                    / 1e3;
            double bnb = time(() -> java.batchNormBackward(x, xHat, gamma, inv, dx, mean, inv)) / 1e3;
            double copy = time(() -> {
                xa.data().asNioFloat().put(xh);
                dxa.data().asNioFloat().get(dxh);
            }) / 1e3;
            System.out.printf(Locale.ROOT, "%-16s maxpool Java reference fwd %6.2f bwd %6.2f | libnd4j ops fwd %6.2f"
                            + " bwd %6.2f | Nd4jBackend fwd %6.2f bwd %6.2f%n%-16s batchnorm Java reference fwd %6.2f"
                            + " bwd %6.2f | one in+out copy of x %5.2f%n",
                    Arrays.toString(s), jf, jb, nf, nb, af, ab, "", bnf, bnb, copy);
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------

    private static Tensor rand(Backend be, DType dt, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        if (dt == DType.FLOAT32) {
            float[] a = new float[n];
            for (int i = 0; i < n; i++) {
                a[i] = (float) RNG.nextGaussian();
            }
            return be.fromHost(a, shape);
        }
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = RNG.nextGaussian();
        }
        return be.fromHost(a, shape);
    }

    /** Best microseconds per call over 5 loops of at least 0.2 s each (after a 0.2 s warm-up). */
    private static double time(Runnable r) {
        long warm = System.nanoTime();
        while (System.nanoTime() - warm < 200_000_000L) {
            r.run();
        }
        double best = Double.MAX_VALUE;
        for (int rep = 0; rep < 5; rep++) {
            int it = 0;
            long t0 = System.nanoTime();
            long t;
            do {
                r.run();
                it++;
                t = System.nanoTime() - t0;
            } while (t < 200_000_000L);
            best = Math.min(best, t / 1e3 / it);
        }
        return best;
    }

    /**
     * Best µs per call of five 40 ms loops after a 60 ms warm-up (for the alternating rounds); with
     * {@code -Dbench.threadCpu=true} the calling thread's CPU time instead of the wall time (for a shared machine:
     * run with {@code -Dtandem.nd4j.threads=1 OMP_NUM_THREADS=1} so that all the work is on the calling thread).
     */
    private static double timeShort(Runnable r) {
        java.lang.management.ThreadMXBean tm = java.lang.management.ManagementFactory.getThreadMXBean();
        java.util.function.LongSupplier clock = Boolean.getBoolean("bench.threadCpu")
                ? tm::getCurrentThreadCpuTime : System::nanoTime;
        long warm = clock.getAsLong();
        while (clock.getAsLong() - warm < 60_000_000L) {
            r.run();
        }
        double best = Double.MAX_VALUE;
        for (int rep = 0; rep < 5; rep++) {
            int it = 0;
            long t0 = clock.getAsLong();
            long t;
            do {
                r.run();
                it++;
                t = clock.getAsLong() - t0;
            } while (t < 40_000_000L);
            best = Math.min(best, t / 1e3 / it);
        }
        return best;
    }
}
