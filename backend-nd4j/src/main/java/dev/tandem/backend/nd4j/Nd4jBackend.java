package dev.tandem.backend.nd4j;

import dev.tandem.learning.backend.Buf;
import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.backend.JavaLstm;
import dev.tandem.learning.tensor.Activation;
import dev.tandem.learning.tensor.Shapes;
import dev.tandem.learning.tensor.ConvGeometry;
import dev.tandem.learning.tensor.FloatReductions;
import dev.tandem.learning.tensor.GemmShape;
import dev.tandem.learning.tensor.Tensor;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * CPU backend on ND4J's native stack. Tensors stay heap {@code JavaTensor}s, so every small operation
 * (element-wise, reductions, optimizer updates, batch norm) keeps running in plain Java, where it costs nanoseconds
 * instead of the 5–40 µs of an ND4J op. The heavy operations run on OpenBLAS — the BLAS that nd4j-native ships,
 * links and itself calls for its matrix products ({@code openblas_nolapack}) — through reused off-heap buffers:
 * <ul>
 *   <li>{@link #gemm}: one {@code cblas_sgemm}/{@code cblas_dgemm} call from {@link #DEFAULT_GEMM_MIN_MACS}
 *       multiply-adds up; smaller products stay in the Java loop, which is faster there.</li>
 *   <li>{@link #conv2dForward}/{@link #conv2dBackward} with stride 1 in float: {@link ShiftedConv}, im2col as one
 *       bulk copy per kernel tap on an extended output grid, several examples per OpenBLAS product; a forward pass
 *       of fewer examples than workers (batch 1) is split by output rows instead.</li>
 *   <li>... except 1-D ones (H = 1, W3's blocks): {@link TapConv}, one OpenBLAS product per kernel tap reading the
 *       padded rows in place, no column matrix; examples split across the workers.</li>
 *   <li>... and 2-D ones of at least {@link TapConv2d#MIN_CHANNELS} input channels (W1's second convolution):
 *       {@link TapConv2d}, one product per kernel tap over the padded examples read in place, input gradient
 *       without col2im.</li>
 *   <li>{@link #conv2dForward}/{@link #conv2dBackward} with strides above 1 in float, when the kernel is (nearly) a
 *       multiple of the stride: rewritten as a stride-1 convolution by {@link SpaceToDepth} (W3's first convolution,
 *       width 64 stride 16, becomes 4 taps over 64 channels), then the stride-1 paths above.</li>
 *   <li>{@link #conv2dForward}/{@link #conv2dBackward} otherwise: per example, im2col in Java straight from the heap
 *       input into a [C·kH·kW, outH·outW] matrix, then one or two OpenBLAS products (y = W·col; dW += dy·colᵀ;
 *       dcol = Wᵀ·dy, folded back by col2im in Java). Padding is whatever {@link ConvGeometry} says — padTop and
 *       padLeft place the windows, reads outside the input are zeros — so TensorFlow SAME with the odd cell at
 *       the bottom/right, VALID, strides and the 1-D case (H = 1) are all exact.</li>
 *   <li>{@link #lstmGatesForward}/{@link #lstmGatesBackward}: the reference's fused loops ({@link JavaLstm}), split
 *       across the workers by (example, channel) rows, so that one example's channels run in parallel too. The
 *       channel copies and {@link #flipConvWeights} are the reference's (heap copies).</li>
 *   <li>{@link #maxPoolForward}/{@link #maxPoolBackward}: the reference algorithm (first maximum of each window)
 *       on the primitive arrays, without the reference's per-element virtual calls; non-overlapping 1-D windows in
 *       one pass ({@link Pool#forward1d}), 2×2 stride-2 windows branch-free ({@link Pool#forward2x2}).</li>
 *   <li>Float batch norm ({@link FloatBatchNorm}), bias gradients and Adam ({@link FloatKernels}) on the primitive
 *       arrays, batch norm split by channels from {@link #PARALLEL_BN_MIN_ELEMENTS}.</li>
 * </ul>
 * Why not libnd4j's own {@code conv2d}/{@code conv2d_bp} ops: on the toolkit CNN at batch 64 they were 3–5× slower
 * than this path (and libnd4j's im2col op gets the odd SAME cell wrong); see README.md for the numbers.
 *
 * <p>Float and double both run natively. Each thread has its own buffers ({@link Scratch}); {@link #close()}
 * frees them.
 */
public class Nd4jBackend extends JavaBackend {
    public static final String NAME = "nd4j";

    /**
     * Below this many multiply-adds (m·n·k) a product runs in Java. Measured (README.md): an OpenBLAS call through
     * reused buffers costs ~0.3 µs plus the copies; at 4×4×4 Java wins (0.17 vs 0.28 µs), at 8×8×8 OpenBLAS does
     * (0.64 vs 1.27 µs), at 16×16×16 by 6×.
     */
    public static final long DEFAULT_GEMM_MIN_MACS = 512;

    /**
     * Below this many multiply-adds per call a convolution runs in the Java reference. The native path won from the
     * smallest case measured (1,152 MACs: 4.6 vs 19 µs for forward + backward).
     */
    public static final long DEFAULT_CONV_MIN_MACS = 1024;

    /**
     * A float stride-1 convolution of fewer examples than workers, of at least this many multiply-adds per example,
     * is split by output rows across the workers ({@link ShiftedConv#forwardByRows}).
     */
    static final long SPLIT_CONV_MIN_MACS = 1L << 20;

    /** Float products of at least this many multiply-adds are split by rows across the workers. */
    static final long PARALLEL_GEMM_MIN_MACS = 1L << 20;

    private static final int ROW = openblas_nolapack.CblasRowMajor;
    private static final int NO = openblas_nolapack.CblasNoTrans;
    private static final int TRANS = openblas_nolapack.CblasTrans;

    private final long gemmMinMacs;
    private final long convMinMacs;
    private final long oneDnnMinMacs;

    /**
     * Float convolutions of at least this many multiply-adds per call run on oneDNN. Below it libnd4j's per-call
     * cost (op set-up, copies, a native call per worker) outweighs oneDNN's faster kernels: measured in the W3
     * training step (its convolutions are 2–17 M MACs per call) the process's CPU time per step was 19–27 ms with
     * oneDNN against 15–20 ms without, and its single-window inference 0.44–1.2 against 0.20–0.27 ms; W1's convolutions
     * (40 M and 640 M) and W2's at batch 8 (94 M) gain.
     */
    public static final long DEFAULT_ONEDNN_MIN_MACS = 1L << 25;

    /**
     * With the size threshold in force, convolutions of fewer input channels than this stay on Tandem's own path:
     * oneDNN has nothing to block over a single channel. Measured on the Xeon (AVX-512, 2 workers, `Nd4jBench shapes
     * 5 "W1 conv1"` and the `probe` shapes, 64 examples 28×28 5×5 → 32, forward / backward with dx, ms): 1 channel
     * own 2.1 / 5.6 against oneDNN 4.3 / 8.1; 2 channels 3.6 / 9.5 against 3.5 / 8.9; 4 channels 8.1 / 14.9 against
     * 3.9 / 13.0.
     */
    static final int ONEDNN_MIN_CHANNELS = 2;
    /** Every thread's scratch, weakly: a dead thread's buffers go with its Scratch. */
    private final List<WeakReference<Scratch>> scratches = new ArrayList<>();
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(this::newScratch);
    private final LongAdder nativeGemms = new LongAdder();
    private final ExampleParallelism parallel = new ExampleParallelism(ExampleParallelism.defaultWorkers());
    private final LongAdder nativeConvs = new LongAdder();
    /** libnd4j's conv ops on oneDNN: only on the oneDNN build and unless {@value #ONEDNN_PROPERTY} = off. */
    private final boolean useOneDnn = oneDnnEnabled();
    private final OneDnnConv oneDnnConv = new OneDnnConv(parallel);
    /** The path each convolution shape took (first call), for {@link #kernelChoices()}. */
    private final Map<ConvCall, String> convChoices = new ConcurrentHashMap<>();

    /** System property: {@code auto} (default: oneDNN convolutions where the build has oneDNN) or {@code off}. */
    public static final String ONEDNN_PROPERTY = "tandem.nd4j.onednn";

    public Nd4jBackend() {
        this(DEFAULT_GEMM_MIN_MACS, DEFAULT_CONV_MIN_MACS);
    }

    /**
     * @param gemmMinMacs products of fewer multiply-adds run in Java (0: always native)
     * @param convMinMacs convolutions of fewer multiply-adds per call run in Java (0: always native)
     * @throws IllegalStateException when ND4J cannot load here
     */
    public Nd4jBackend(long gemmMinMacs, long convMinMacs) {
        this(gemmMinMacs, convMinMacs, DEFAULT_ONEDNN_MIN_MACS);
    }

    /** As above, with the size from which float convolutions run on oneDNN (0: every eligible one; for tests). */
    Nd4jBackend(long gemmMinMacs, long convMinMacs, long oneDnnMinMacs) {
        Nd4jRuntime.require();
        this.oneDnnMinMacs = oneDnnMinMacs;
        // Tandem parallelises across examples and rows itself (ExampleParallelism); OpenBLAS's own threads would
        // spin between calls and fight it for the cores.
        openblas_nolapack.blas_set_num_threads(1);
        this.gemmMinMacs = gemmMinMacs;
        this.convMinMacs = convMinMacs;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** What this backend runs on, e.g. "ND4J 1.0.0-M2.1 nd4j-native, OpenBLAS, 2 threads (BLAS 2); ...". */
    public static String describe() {
        return Nd4jRuntime.load().reason();
    }

    private Scratch newScratch() {
        Scratch s = new Scratch();
        synchronized (scratches) {
            scratches.removeIf(r -> r.get() == null);
            scratches.add(new WeakReference<>(s));
        }
        return s;
    }

    // ---- dense algebra --------------------------------------------------------------------------------

    @Override
    public void gemm(boolean transA, boolean transB, double alpha, Tensor a, Tensor b, double beta, Tensor c) {
        GemmShape shape = GemmShape.of(transA, transB, a, b, c);
        int m = shape.m();
        int n = shape.n();
        int k = shape.k();
        long macs = shape.macs();
        Buf ab = buf(a);
        Buf bb = buf(b);
        Buf cb = buf(c);
        if (macs == 0 || macs < gemmMinMacs) {
            super.gemm(transA, transB, alpha, a, b, beta, c);
            return;
        }
        int ta = transA ? TRANS : NO;
        int tb = transB ? TRANS : NO;
        int lda = a.dim(1);
        int ldb = b.dim(1);
        Scratch s = scratch.get();
        if (ab instanceof Buf.F32 af && bb instanceof Buf.F32 bf && cb instanceof Buf.F32 cf) {
            FloatPointer pa = s.floats(0, af.a.length).put(af.a, 0, af.a.length);
            FloatPointer pb = s.floats(1, bf.a.length).put(bf.a, 0, bf.a.length);
            FloatPointer pc = s.floats(2, cf.a.length);
            if (beta != 0) {
                pc.put(cf.a, 0, cf.a.length);
            }
            nativeGemms.increment();
            if (macs < PARALLEL_GEMM_MIN_MACS) {
                openblas_nolapack.cblas_sgemm(ROW, ta, tb, m, n, k, (float) alpha, pa, lda, pb, ldb, (float) beta, pc, n);
            } else if (m >= n) {
                // rows [i0, i1) of C from rows [i0, i1) of op(A): single-threaded OpenBLAS calls side by side
                parallel.forRanges(m, (i0, i1, worker) -> openblas_nolapack.cblas_sgemm(ROW, ta, tb, i1 - i0, n, k,
                        (float) alpha, new FloatPointer(pa).position(transA ? i0 : (long) i0 * lda), lda, pb, ldb,
                        (float) beta, new FloatPointer(pc).position((long) i0 * n), n));
            } else {
                // columns [j0, j1) of C from columns [j0, j1) of op(B): each worker packs only its part of the larger
                // operand (a dense layer's weights), where splitting the few rows made both pack all of it (2x slower)
                parallel.forRanges(n, (j0, j1, worker) -> openblas_nolapack.cblas_sgemm(ROW, ta, tb, m, j1 - j0, k,
                        (float) alpha, pa, lda, new FloatPointer(pb).position(transB ? (long) j0 * ldb : j0), ldb,
                        (float) beta, new FloatPointer(pc).position(j0), n));
            }
            pc.get(cf.a, 0, cf.a.length);
        } else if (ab instanceof Buf.F64 ad && bb instanceof Buf.F64 bd && cb instanceof Buf.F64 cd) {
            DoublePointer pa = s.doubles(0, ad.a.length).put(ad.a, 0, ad.a.length);
            DoublePointer pb = s.doubles(1, bd.a.length).put(bd.a, 0, bd.a.length);
            DoublePointer pc = s.doubles(2, cd.a.length);
            if (beta != 0) {
                pc.put(cd.a, 0, cd.a.length);
            }
            nativeGemms.increment();
            openblas_nolapack.cblas_dgemm(ROW, ta, tb, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, n);
            pc.get(cd.a, 0, cd.a.length);
        } else {
            super.gemm(transA, transB, alpha, a, b, beta, c); // mixed precision: reference path
        }
    }

    // ---- convolution (oneDNN through libnd4j, or Java im2col + OpenBLAS) ----------------------------------

    /** Whether a float convolution is big enough, and has channels enough, for oneDNN (threshold 0: always). */
    private boolean oneDnnPays(Tensor x, Tensor w, ConvGeometry g) {
        if (oneDnnMinMacs == 0) {
            return true;
        }
        return x.dim(1) >= ONEDNN_MIN_CHANNELS && g.macs(x.dim(1), w.dim(0)) * x.dim(0) >= oneDnnMinMacs;
    }

    private static boolean oneDnnEnabled() {
        String v = System.getProperty(ONEDNN_PROPERTY, "auto").trim();
        if (!v.equals("auto") && !v.equals("off")) {
            throw new IllegalArgumentException(ONEDNN_PROPERTY + " = " + v + "; allowed: auto, off");
        }
        return v.equals("auto") && NativeBuild.select().oneDnn();
    }

    /** One convolution call's shape: the key of {@link #kernelChoices()}. */
    private record ConvCall(String pass, int n, int c, int h, int w, int o, int kh, int kw, int sh, int sw,
                            boolean needDx) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "conv2d %s [%d,%d,%d,%d]->%d k%dx%d s%dx%d%s", pass, n, c, h, w, o, kh,
                    kw, sh, sw, pass.equals("backward") && !needDx ? " (no dx)" : "");
        }
    }

    private void choose(String pass, Tensor x, Tensor w, ConvGeometry g, boolean needDx, String path) {
        if (convChoices.size() < 256) {
            convChoices.putIfAbsent(new ConvCall(pass, x.dim(0), x.dim(1), g.inH(), g.inW(), w.dim(0), g.kernelH(),
                    g.kernelW(), g.strideH(), g.strideW(), needDx), path);
        }
    }

    /**
     * Which kernel each convolution shape ran on since this backend was made (first call of each shape), e.g.
     * {@code "conv2d forward [64,32,14,14]->64 k5x5 s1x1" -> "onednn"}; sorted by key.
     */
    public Map<String, String> kernelChoices() {
        Map<String, String> out = new TreeMap<>();
        convChoices.forEach((k, v) -> out.put(k.toString(), v));
        return out;
    }

    /**
     * What the native side runs on, for benchmark reports: the nd4j-native build (classifier), libnd4j's build
     * information, the OpenBLAS kernel set in use ({@code OPENBLAS_CORETYPE} overrides it) and its build
     * configuration, oneDNN's ISA cap ({@code DNNL_MAX_CPU_ISA}, unset = the best the CPU has), the convolution
     * policy ({@value #ONEDNN_PROPERTY}).
     */
    public static Map<String, String> nativeInfo() {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        Nd4jRuntime.require();
        NativeBuild b = NativeBuild.select();
        m.put("nd4j_native_build", b.classifier());
        String info;
        try {
            info = org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo();
        } catch (RuntimeException | LinkageError e) {
            info = "unknown (" + e.getClass().getSimpleName() + ")";
        }
        m.put("libnd4j_build", info == null ? "unknown" : info.trim().replaceAll("\\s+", " "));
        // the preset does not expose openblas_get_corename(): the kernel set is OpenBLAS's run-time choice
        // (DYNAMIC_ARCH) unless OPENBLAS_CORETYPE names one
        m.put("openblas", "OpenBLAS " + openblasVersion() + " (bytedeco preset, DYNAMIC_ARCH), OPENBLAS_CORETYPE="
                + Objects.toString(System.getenv("OPENBLAS_CORETYPE"), "unset (chosen for the CPU)"));
        m.put("onednn_max_cpu_isa", Objects.toString(System.getenv("DNNL_MAX_CPU_ISA"), "unset (the CPU's best)"));
        m.put("conv_policy", System.getProperty(ONEDNN_PROPERTY, "auto") + (b.oneDnn() ? "" : " (no oneDNN in this build)"));
        return m;
    }

    private static String openblasVersion() {
        try (java.io.InputStream in = openblas_nolapack.class.getResourceAsStream(
                "/META-INF/maven/org.bytedeco/openblas/pom.properties")) {
            if (in != null) {
                java.util.Properties p = new java.util.Properties();
                p.load(in);
                return p.getProperty("version", "(version unknown)");
            }
        } catch (java.io.IOException ignored) {
            // fall through
        }
        return "(version unknown)";
    }

    /** Whether this backend runs float convolutions on oneDNN (the oneDNN build, {@value #ONEDNN_PROPERTY} not off). */
    public boolean oneDnnConvolutions() {
        return useOneDnn;
    }

    /** The calling thread's scratch (tests: what it holds). */
    Scratch callerScratch() {
        return scratch.get();
    }

    /** A large stride-1 convolution of fewer examples than workers: split by output rows across the workers. */
    private boolean rowSplit(Tensor x, Tensor w, ConvGeometry g) {
        return ShiftedConv.applies(g) && x.dim(0) < parallel.workers() && g.outH() >= parallel.workers()
                && g.macs(x.dim(1), w.dim(0)) >= SPLIT_CONV_MIN_MACS;
    }

    /** The Java-side path a float stride-1 convolution takes (mirrors {@link #stride1Forward}). */
    private static String stride1Path(int c, ConvGeometry g) {
        return TapConv.applies(g) ? "tapconv1d" : TapConv2d.applies(c, g) ? "tapconv2d" : "shifted-im2col";
    }

    @Override
    public void conv2dForward(Tensor x, Tensor w, Tensor bias, ConvGeometry g, Tensor y) {
        Buf xb = buf(x);
        Buf wb = buf(w);
        Buf bb = bias == null ? null : buf(bias);
        Buf yb = buf(y);
        if (!nativeConv(x, w, g, y, xb, wb, bb, yb)) {
            super.conv2dForward(x, w, bias, g, y);
            return;
        }
        nativeConvs.increment();
        if (useOneDnn && xb instanceof Buf.F32 xf && OneDnnConv.supports(g) && !rowSplit(x, w, g)
                && oneDnnPays(x, w, g)) {
            // measured faster at the W1/W2/W3 forward shapes (docs/ENGINE.md)
            choose("forward", x, w, g, true, "onednn");
            oneDnnConv.forward(xf.a, ((Buf.F32) wb).a, bb == null ? null : ((Buf.F32) bb).a, x.dim(0), x.dim(1),
                    w.dim(0), g, ((Buf.F32) yb).a);
            return;
        }
        if (xb instanceof Buf.F32 xf && rowSplit(x, w, g)) {
            choose("forward", x, w, g, true, "shifted-by-rows");
            ShiftedConv.forwardByRows(scratch.get(), parallel, scratch::get, xf.a, ((Buf.F32) wb).a,
                    bb == null ? null : ((Buf.F32) bb).a, 0, x.dim(0), x.dim(1), w.dim(0), g, ((Buf.F32) yb).a);
        } else if (xb instanceof Buf.F32 xf && ShiftedConv.applies(g)) {
            choose("forward", x, w, g, true, stride1Path(x.dim(1), g));
            float[] wa = ((Buf.F32) wb).a;
            float[] ba = bb == null ? null : ((Buf.F32) bb).a;
            float[] ya = ((Buf.F32) yb).a;
            int c = x.dim(1);
            int o = w.dim(0);
            parallel.forRanges(x.dim(0), (from, to, worker) -> stride1Forward(xf.a, wa, ba, from, to, c, o, g, ya));
        } else if (xb instanceof Buf.F32 xf && SpaceToDepth.applies(g)) {
            choose("forward", x, w, g, true, "space-to-depth+tapconv1d");
            spaceToDepthForward(xf.a, ((Buf.F32) wb).a, bb == null ? null : ((Buf.F32) bb).a, x.dim(0), x.dim(1),
                    w.dim(0), g, ((Buf.F32) yb).a);
        } else if (xb instanceof Buf.F32 xf) {
            choose("forward", x, w, g, true, "im2col");
            colForward(xf.a, ((Buf.F32) wb).a, bb == null ? null : ((Buf.F32) bb).a, x.dim(0), x.dim(1), w.dim(0), g,
                    ((Buf.F32) yb).a);
        } else {
            colForward(((Buf.F64) xb).a, ((Buf.F64) wb).a, bb == null ? null : ((Buf.F64) bb).a, x.dim(0), x.dim(1),
                    w.dim(0), g, ((Buf.F64) yb).a);
        }
    }

    @Override
    public void conv2dBackward(Tensor x, Tensor w, Tensor dy, ConvGeometry g, Tensor dx, Tensor dw, Tensor dBias) {
        Buf xb = buf(x);
        Buf wb = buf(w);
        Buf dyb = buf(dy);
        Buf dxb = dx == null ? null : buf(dx);
        Buf dwb = buf(dw);
        if (!nativeConv(x, w, g, dy, xb, wb, dyb, dxb, dwb)
                || dx != null && !Arrays.equals(dx.shape(), x.shape())
                || !Arrays.equals(dw.shape(), w.shape())) {
            super.conv2dBackward(x, w, dy, g, dx, dw, dBias);
            return;
        }
        nativeConvs.increment();
        if (useOneDnn && dxb instanceof Buf.F32 dxf && xb instanceof Buf.F32 xf && OneDnnConv.supports(g)
                && oneDnnPays(x, w, g)) {
            // only where the input gradient is needed: libnd4j always computes it, and without it Tandem's own
            // weight-gradient paths measured faster (W1 conv1, W3 conv1, W2's weight gradients over all steps)
            choose("backward", x, w, g, true, "onednn");
            oneDnnConv.backward(xf.a, ((Buf.F32) wb).a, ((Buf.F32) dyb).a, x.dim(0), x.dim(1), w.dim(0), g, dxf.a,
                    ((Buf.F32) dwb).a);
        } else if (xb instanceof Buf.F32 xf && ShiftedConv.applies(g)) {
            choose("backward", x, w, g, dx != null, stride1Path(x.dim(1), g));
            float[] wa = ((Buf.F32) wb).a;
            float[] dya = ((Buf.F32) dyb).a;
            float[] dxa = dxb == null ? null : ((Buf.F32) dxb).a;
            float[] dwa = ((Buf.F32) dwb).a;
            int c = x.dim(1);
            int o = w.dim(0);
            float[][] partial = parallel.partials(dwa.length);
            int used = parallel.forRanges(x.dim(0), (from, to, worker) ->
                    stride1Backward(xf.a, wa, dya, from, to, c, o, g, dxa, worker == 0 ? dwa : partial[worker]));
            for (int k = 1; k < used; k++) {
                float[] part = partial[k];
                for (int i = 0; i < dwa.length; i++) {
                    dwa[i] += part[i];
                }
            }
        } else if (xb instanceof Buf.F32 xf && SpaceToDepth.applies(g)) {
            choose("backward", x, w, g, dx != null, "space-to-depth+tapconv1d");
            spaceToDepthBackward(xf.a, ((Buf.F32) wb).a, ((Buf.F32) dyb).a, x.dim(0), x.dim(1), w.dim(0), g,
                    dxb == null ? null : ((Buf.F32) dxb).a, ((Buf.F32) dwb).a);
        } else if (xb instanceof Buf.F32 xf) {
            choose("backward", x, w, g, dx != null, "im2col");
            colBackward(xf.a, ((Buf.F32) wb).a, ((Buf.F32) dyb).a, x.dim(0), x.dim(1), w.dim(0), g,
                    dxb == null ? null : ((Buf.F32) dxb).a, ((Buf.F32) dwb).a);
        } else {
            colBackward(((Buf.F64) xb).a, ((Buf.F64) wb).a, ((Buf.F64) dyb).a, x.dim(0), x.dim(1), w.dim(0), g,
                    dxb == null ? null : ((Buf.F64) dxb).a, ((Buf.F64) dwb).a);
        }
        if (dBias != null) {
            biasGradient(dy, dBias);
        }
    }

    /** A float stride-1 convolution of examples [from, to) on this thread: 1-D by taps ({@link TapConv}), else shifted. */
    private void stride1Forward(float[] x, float[] w, float[] bias, int from, int to, int c, int o, ConvGeometry g,
                                float[] y) {
        if (TapConv.applies(g)) {
            TapConv.forward(scratch.get(), x, w, bias, from, to, c, o, g, y, WIDE_COLUMN_FLOATS);
        } else if (TapConv2d.applies(c, g)) {
            TapConv2d.forward(scratch.get(), x, w, bias, from, to, c, o, g, y, TapConv2d.CHUNK_FLOATS);
        } else {
            ShiftedConv.forward(scratch.get(), x, w, bias, from, to, c, o, g, y, columnFloats(c, g));
        }
    }

    private void stride1Backward(float[] x, float[] w, float[] dy, int from, int to, int c, int o, ConvGeometry g,
                                 float[] dx, float[] dw) {
        if (TapConv.applies(g)) {
            TapConv.backward(scratch.get(), x, w, dy, from, to, c, o, g, dx, dw, WIDE_COLUMN_FLOATS);
        } else if (TapConv2d.applies(c, g)) {
            TapConv2d.backward(scratch.get(), x, w, dy, from, to, c, o, g, dx, dw, TapConv2d.CHUNK_FLOATS);
        } else {
            ShiftedConv.backward(scratch.get(), x, w, dy, from, to, c, o, g, dx, dw, columnFloats(c, g));
        }
    }

    // ---- strided float convolutions as stride-1 ones (SpaceToDepth), on ShiftedConv's example-parallel path ----

    // Scratch heap slots of the calling thread (ShiftedConv and the im2col path use 0-5)
    private static final int SLOT_X1 = 6;
    private static final int SLOT_DW1 = 8;
    private static final int SLOT_DX1 = 9;

    private void spaceToDepthForward(float[] x, float[] w, float[] bias, int n, int c, int o, ConvGeometry g,
                                     float[] y) {
        SpaceToDepth sd = new SpaceToDepth(c, g);
        Scratch s = scratch.get();
        float[] x1 = s.heapFloats(SLOT_X1, n * sd.inPer1());
        float[] w1 = spaceToDepthWeights(s, sd, w, o);
        if (n < parallel.workers() && g.outH() >= parallel.workers()
                && sd.g1.macs(sd.c1, o) >= SPLIT_CONV_MIN_MACS) {
            sd.input(x, 0, n, x1);
            ShiftedConv.forwardByRows(s, parallel, scratch::get, x1, w1, bias, 0, n, sd.c1, o, sd.g1, y);
            return;
        }
        parallel.forRanges(n, (from, to, worker) -> {
            sd.input(x, from, to, x1);
            stride1Forward(x1, w1, bias, from, to, sd.c1, o, sd.g1, y);
        });
    }

    /** w' of w, laid out again only when w has changed ({@link WeightLayouts}). */
    private static float[] spaceToDepthWeights(Scratch s, SpaceToDepth sd, float[] w, int o) {
        ConvGeometry g = sd.g;
        return s.layouts.heap(w, o * sd.c * g.kernelH() * g.kernelW(), new WeightLayouts.Key("space-to-depth", o, sd.c,
                g.kernelH(), g.kernelW(), g.strideH(), g.strideW()), sd.weights1(o), (src, out) -> sd.weights(src, o, out));
    }

    private void spaceToDepthBackward(float[] x, float[] w, float[] dy, int n, int c, int o, ConvGeometry g,
                                      float[] dx, float[] dw) {
        SpaceToDepth sd = new SpaceToDepth(c, g);
        Scratch s = scratch.get();
        int wn = sd.weights1(o);
        float[] x1 = s.heapFloats(SLOT_X1, n * sd.inPer1());
        float[] dw1 = s.heapFloats(SLOT_DW1, wn);
        float[] w1 = null;
        float[] dx1 = null;
        if (dx != null) {
            w1 = spaceToDepthWeights(s, sd, w, o);
            dx1 = s.heapFloats(SLOT_DX1, n * sd.inPer1());
        }
        float[] w1f = w1;
        float[] dx1f = dx1;
        float[][] partial = parallel.partials(wn);
        int used = parallel.forRanges(n, (from, to, worker) -> {
            sd.input(x, from, to, x1);
            stride1Backward(x1, w1f, dy, from, to, sd.c1, o, sd.g1, dx1f, worker == 0 ? dw1 : partial[worker]);
            if (dx1f != null) {
                sd.inputGradient(dx1f, from, to, dx);
            }
        });
        for (int k = 1; k < used; k++) {
            float[] part = partial[k];
            for (int i = 0; i < wn; i++) {
                dw1[i] += part[i];
            }
        }
        sd.weightGradient(dw1, o, dw);
    }

    // ---- recurrent cells: the fused LSTM gates in Java, split across the workers ------------------------

    /** Below this many cells (N·C·S) an LSTM gate pass runs on the calling thread alone. */
    static final int PARALLEL_LSTM_MIN_CELLS = 8192;

    @Override
    public void lstmGatesForward(Tensor z, Tensor cPrev, Tensor peephole, Tensor gates, Tensor c, Tensor tanhC,
                                 Tensor h) {
        int[] cs = lstmShapes("lstmGatesForward", z, cPrev, peephole, gates, c, tanhC, h);
        Buf zb = buf(z);
        Buf cpb = buf(cPrev);
        Buf pb = buf(peephole);
        Buf gb = buf(gates);
        Buf cb = buf(c);
        Buf tb = buf(tanhC);
        Buf hb = buf(h);
        int rows = cs[0] * cs[1];
        if ((long) rows * cs[2] < PARALLEL_LSTM_MIN_CELLS) {
            JavaLstm.forward(zb, cpb, pb, gb, cb, tb, hb, 0, rows, cs[1], cs[2]);
            return;
        }
        parallel.forRanges(rows, (from, to, worker) ->
                JavaLstm.forward(zb, cpb, pb, gb, cb, tb, hb, from, to, cs[1], cs[2]));
    }

    @Override
    public void lstmGatesBackward(Tensor gates, Tensor cPrev, Tensor c, Tensor tanhC, Tensor peephole, Tensor dh,
                                  Tensor dc, Tensor dz, Tensor dcPrev, Tensor dPeephole) {
        int[] cs = lstmShapes("lstmGatesBackward", gates, cPrev, peephole, dz, c, tanhC, dh, dc, dcPrev);
        Shapes.requireSameShape(peephole, dPeephole, "lstmGatesBackward");
        Buf gb = buf(gates);
        Buf cpb = buf(cPrev);
        Buf cb = buf(c);
        Buf tb = buf(tanhC);
        Buf pb = buf(peephole);
        Buf dhb = buf(dh);
        Buf dcb = buf(dc);
        Buf dzb = buf(dz);
        Buf dcpb = buf(dcPrev);
        int rows = cs[0] * cs[1];
        int workers = (long) rows * cs[2] < PARALLEL_LSTM_MIN_CELLS ? 1 : parallel.workers();
        double[][] partial = new double[Math.min(workers, rows)][dPeephole.size()];
        if (partial.length <= 1) {
            JavaLstm.backward(gb, cpb, cb, tb, pb, dhb, dcb, dzb, dcpb, partial[0], 0, rows, cs[1], cs[2]);
        } else {
            parallel.forRanges(rows, (from, to, worker) -> JavaLstm.backward(gb, cpb, cb, tb, pb, dhb, dcb, dzb, dcpb,
                    partial[worker], from, to, cs[1], cs[2]));
        }
        for (double[] p : partial) {
            addInto(p, dPeephole);
        }
    }

    /**
     * True when the native path applies: consistent NCHW shapes (else the reference reports the mismatch), every
     * buffer of one precision, and at least {@link #convMinMacs} multiply-adds.
     */
    private boolean nativeConv(Tensor x, Tensor w, ConvGeometry g, Tensor out, Buf... bufs) {
        if (x.rank() != 4 || w.rank() != 4 || out.rank() != 4 || !samePrecision(bufs)) {
            return false;
        }
        int n = x.dim(0);
        long macs = g.macs(x.dim(1), w.dim(0)) * n;
        return macs > 0 && macs >= convMinMacs
                && w.dim(1) == x.dim(1) && w.dim(2) == g.kernelH() && w.dim(3) == g.kernelW()
                && x.dim(2) == g.inH() && x.dim(3) == g.inW()
                && Arrays.equals(out.shape(), new int[] {n, w.dim(0), g.outH(), g.outW()});
    }

    /** All non-null buffers F32, or all F64. */
    private static boolean samePrecision(Buf... bufs) {
        boolean f32 = true;
        boolean f64 = true;
        for (Buf b : bufs) {
            if (b != null) {
                f32 &= b instanceof Buf.F32;
                f64 &= b instanceof Buf.F64;
            }
        }
        return f32 || f64;
    }

    /**
     * Column matrices are built for several examples side by side, [CK, m·P], so one OpenBLAS product covers m
     * examples: products with a wide N run near BLAS peak, one example's [O, CK]·[CK, P] does not (toolkit CNN conv2:
     * 64×196×800 per example). m is bounded so the wide matrix stays within {@link #WIDE_COLUMN_FLOATS}.
     */
    static final int WIDE_COLUMN_FLOATS = 4 << 20;

    /**
     * From this many output positions per example (the extended grid of {@link ShiftedConv}) one example alone makes
     * a wide enough product, and one example per product keeps its column matrix in cache (W2's 32×32 grid: 1,086
     * columns; batching 6 examples of its 576-row input-gradient columns built 15 MB per product).
     */
    static final int ONE_EXAMPLE_COLUMNS = 1024;

    /** The column budget of a stride-1 float convolution of c input channels: one example's, or the wide one. */
    private static int columnFloats(int c, ConvGeometry g) {
        int q = (g.outH() - 1) * (g.outW() + g.kernelW() - 1) + g.outW();
        return q >= ONE_EXAMPLE_COLUMNS ? c * g.kernelH() * g.kernelW() * q : WIDE_COLUMN_FLOATS;
    }

    private static int examplesPerProduct(int n, int ck, int p) {
        return (int) Math.max(1, Math.min(n, WIDE_COLUMN_FLOATS / Math.max(1L, (long) ck * p)));
    }

    // Per chunk of m examples: cols = [im2col(x_i) ...] [CK, m·P]; Y [O, m·P] = W [O, CK] · cols; y_i = Y[:, i·P..].
    private void colForward(float[] x, float[] w, float[] bias, int n, int c, int o, ConvGeometry g, float[] y) {
        int ck = c * g.kernelH() * g.kernelW();
        int p = g.outH() * g.outW();
        int inPer = c * g.inH() * g.inW();
        int outPer = o * p;
        int chunk = examplesPerProduct(n, ck, p);
        Scratch s = scratch.get();
        FloatPointer pw = s.layouts.copy(w, o, ck);
        FloatPointer pcol = s.floats(1, (long) ck * chunk * p);
        FloatPointer py = s.floats(2, (long) o * chunk * p);
        float[] col = s.heapFloats(0, ck * chunk * p);
        float[] wide = s.heapFloats(1, o * chunk * p);
        for (int first = 0; first < n; first += chunk) {
            int m = Math.min(chunk, n - first);
            int ld = m * p;
            for (int i = 0; i < m; i++) {
                Im2col.im2col(x, (first + i) * inPer, c, g.inH(), g.inW(), g, col, i * p, ld);
            }
            pcol.put(col, 0, ck * ld);
            openblas_nolapack.cblas_sgemm(ROW, NO, NO, o, ld, ck, 1f, pw, ck, pcol, ld, 0f, py, ld);
            py.get(wide, 0, o * ld);
            for (int oc = 0; oc < o; oc++) {
                float b = bias == null ? 0f : bias[oc];
                for (int i = 0; i < m; i++) {
                    int from = oc * ld + i * p;
                    int to = (first + i) * outPer + oc * p;
                    for (int j = 0; j < p; j++) {
                        y[to + j] = wide[from + j] + b;
                    }
                }
            }
        }
    }

    private void colForward(double[] x, double[] w, double[] bias, int n, int c, int o, ConvGeometry g, double[] y) {
        int ck = c * g.kernelH() * g.kernelW();
        int p = g.outH() * g.outW();
        int inPer = c * g.inH() * g.inW();
        int outPer = o * p;
        Scratch s = scratch.get();
        DoublePointer pw = s.doubles(0, (long) o * ck).put(w, 0, o * ck);
        DoublePointer pcol = s.doubles(1, (long) ck * p);
        DoublePointer py = s.doubles(2, outPer);
        double[] col = s.heapDoubles(0, ck * p);
        for (int i = 0; i < n; i++) {
            Im2col.im2col(x, i * inPer, c, g.inH(), g.inW(), g, col);
            pcol.put(col, 0, ck * p);
            openblas_nolapack.cblas_dgemm(ROW, NO, NO, o, p, ck, 1, pw, ck, pcol, p, 0, py, p);
            py.get(y, i * outPer, outPer);
            if (bias != null) {
                for (int oc = 0, at = i * outPer; oc < o; oc++, at += p) {
                    double b = bias[oc];
                    for (int j = at; j < at + p; j++) {
                        y[j] += b;
                    }
                }
            }
        }
    }

    // Per chunk of m examples: dW += dY [O, m·P] · colsᵀ; dcols = Wᵀ · dY; dx_i = col2im(dcols[:, i·P..]).
    private void colBackward(float[] x, float[] w, float[] dy, int n, int c, int o, ConvGeometry g, float[] dx,
                             float[] dw) {
        int ck = c * g.kernelH() * g.kernelW();
        int p = g.outH() * g.outW();
        int inPer = c * g.inH() * g.inW();
        int outPer = o * p;
        int chunk = examplesPerProduct(n, ck, p);
        Scratch s = scratch.get();
        FloatPointer pcol = s.floats(1, (long) ck * chunk * p);
        FloatPointer pdy = s.floats(2, (long) o * chunk * p);
        FloatPointer pdw = s.floats(3, (long) o * ck);
        float[] col = s.heapFloats(0, ck * chunk * p);
        float[] wide = s.heapFloats(1, o * chunk * p);
        FloatPointer pw = null;
        FloatPointer pdcol = null;
        float[] dcol = null;
        if (dx != null) {
            pw = s.layouts.copy(w, o, ck);
            pdcol = s.floats(4, (long) ck * chunk * p);
            dcol = s.heapFloats(2, ck * chunk * p);
            Arrays.fill(dx, 0f);
        }
        for (int first = 0; first < n; first += chunk) {
            int m = Math.min(chunk, n - first);
            int ld = m * p;
            for (int i = 0; i < m; i++) {
                Im2col.im2col(x, (first + i) * inPer, c, g.inH(), g.inW(), g, col, i * p, ld);
            }
            pcol.put(col, 0, ck * ld);
            for (int oc = 0; oc < o; oc++) {
                for (int i = 0; i < m; i++) {
                    System.arraycopy(dy, (first + i) * outPer + oc * p, wide, oc * ld + i * p, p);
                }
            }
            pdy.put(wide, 0, o * ld);
            openblas_nolapack.cblas_sgemm(ROW, NO, TRANS, o, ck, ld, 1f, pdy, ld, pcol, ld, first == 0 ? 0f : 1f, pdw, ck);
            if (dx != null) {
                openblas_nolapack.cblas_sgemm(ROW, TRANS, NO, ck, ld, o, 1f, pw, ck, pdy, ld, 0f, pdcol, ld);
                pdcol.get(dcol, 0, ck * ld);
                for (int i = 0; i < m; i++) {
                    Im2col.col2imAdd(dcol, i * p, ld, dx, (first + i) * inPer, c, g.inH(), g.inW(), g);
                }
            }
        }
        pdw.get(dw, 0, o * ck);
    }

    private void colBackward(double[] x, double[] w, double[] dy, int n, int c, int o, ConvGeometry g, double[] dx,
                             double[] dw) {
        int ck = c * g.kernelH() * g.kernelW();
        int p = g.outH() * g.outW();
        int inPer = c * g.inH() * g.inW();
        int outPer = o * p;
        Scratch s = scratch.get();
        DoublePointer pcol = s.doubles(1, (long) ck * p);
        DoublePointer pdy = s.doubles(2, outPer);
        DoublePointer pdw = s.doubles(3, (long) o * ck);
        double[] col = s.heapDoubles(0, ck * p);
        DoublePointer pw = null;
        DoublePointer pdcol = null;
        double[] dcol = null;
        if (dx != null) {
            pw = s.doubles(0, (long) o * ck).put(w, 0, o * ck);
            pdcol = s.doubles(4, (long) ck * p);
            dcol = s.heapDoubles(1, ck * p);
            Arrays.fill(dx, 0.0);
        }
        for (int i = 0; i < n; i++) {
            Im2col.im2col(x, i * inPer, c, g.inH(), g.inW(), g, col);
            pcol.put(col, 0, ck * p);
            pdy.put(dy, i * outPer, outPer);
            openblas_nolapack.cblas_dgemm(ROW, NO, TRANS, o, ck, p, 1, pdy, p, pcol, p, i == 0 ? 0 : 1, pdw, ck);
            if (dx != null) {
                openblas_nolapack.cblas_dgemm(ROW, TRANS, NO, ck, p, o, 1, pw, ck, pdy, p, 0, pdcol, p);
                pdcol.get(dcol, 0, ck * p);
                Im2col.col2imAdd(dcol, dx, i * inPer, c, g.inH(), g.inW(), g);
            }
        }
        pdw.get(dw, 0, o * ck);
    }

    // ---- max pooling (the reference algorithm on primitive arrays) ------------------------------------

    @Override
    public void maxPoolForward(Tensor x, ConvGeometry g, Tensor y) {
        Buf xb = buf(x);
        Buf yb = buf(y);
        if (!poolShapes(x, g, y) || !samePrecision(xb, yb)) {
            super.maxPoolForward(x, g, y);
            return;
        }
        int planes = x.dim(0) * x.dim(1);
        if (xb instanceof Buf.F32 xf && Pool.isNonOverlapping1d(x.dim(2), g)) {
            float[] ya = ((Buf.F32) yb).a;
            int w = x.dim(3);
            poolRanges(x, planes, (from, to, worker) -> Pool.forward1d(xf.a, from, to, w, g.kernelW(), g.outW(), ya));
        } else if (xb instanceof Buf.F32 xf && Pool.isNonOverlapping2x2(g)) {
            float[] ya = ((Buf.F32) yb).a;
            int h = x.dim(2);
            int w = x.dim(3);
            poolRanges(x, planes, (from, to, worker) -> Pool.forward2x2(xf.a, from, to, h, w, g.outH(), g.outW(), ya));
        } else if (xb instanceof Buf.F32 xf) {
            float[] ya = ((Buf.F32) yb).a;
            int h = x.dim(2);
            int w = x.dim(3);
            parallel.forRanges(planes, (from, to, worker) -> Pool.forward(xf.a, from, to, h, w, g, ya));
        } else {
            Pool.forward(((Buf.F64) xb).a, planes, x.dim(2), x.dim(3), g, ((Buf.F64) yb).a);
        }
    }

    @Override
    public void maxPoolBackward(Tensor x, Tensor dy, ConvGeometry g, Tensor dx) {
        Buf xb = buf(x);
        Buf dyb = buf(dy);
        Buf dxb = buf(dx);
        if (!poolShapes(x, g, dy) || !Arrays.equals(x.shape(), dx.shape()) || !samePrecision(xb, dyb, dxb)) {
            super.maxPoolBackward(x, dy, g, dx);
            return;
        }
        int planes = x.dim(0) * x.dim(1);
        if (xb instanceof Buf.F32 xf && Pool.isNonOverlapping1d(x.dim(2), g)) {
            float[] dya = ((Buf.F32) dyb).a;
            float[] dxa = ((Buf.F32) dxb).a;
            int w = x.dim(3);
            poolRanges(x, planes, (from, to, worker) -> Pool.backward1d(xf.a, from, to, w, g.kernelW(), g.outW(), dya,
                    dxa));
        } else if (xb instanceof Buf.F32 xf && Pool.isNonOverlapping2x2(g)) {
            float[] dya = ((Buf.F32) dyb).a;
            float[] dxa = ((Buf.F32) dxb).a;
            int h = x.dim(2);
            int w = x.dim(3);
            poolRanges(x, planes, (from, to, worker) -> Pool.backward2x2(xf.a, from, to, h, w, g.outH(), g.outW(), dya,
                    dxa));
        } else if (xb instanceof Buf.F32 xf) {
            float[] dya = ((Buf.F32) dyb).a;
            float[] dxa = ((Buf.F32) dxb).a;
            int h = x.dim(2);
            int w = x.dim(3);
            parallel.forRanges(planes, (from, to, worker) -> Pool.backward(xf.a, from, to, h, w, g, dya, dxa));
        } else {
            Pool.backward(((Buf.F64) xb).a, planes, x.dim(2), x.dim(3), g, ((Buf.F64) dyb).a, ((Buf.F64) dxb).a);
        }
    }

    /**
     * Below this many input elements a 1-D float pooling pass runs on the calling thread alone: W3's 65,536-element
     * pools take ~35 µs forward and ~60 µs backward there, not worth a hand-off to a worker.
     */
    static final int PARALLEL_POOL_MIN_ELEMENTS = 1 << 18;

    private void poolRanges(Tensor x, int planes, ExampleParallelism.RangeTask task) {
        if (x.size() < PARALLEL_POOL_MIN_ELEMENTS) {
            task.run(0, planes, 0);
        } else {
            parallel.forRanges(planes, task);
        }
    }

    /** Every window inside the input, and the output sized for the geometry. */
    private static boolean poolShapes(Tensor x, ConvGeometry g, Tensor y) {
        return x.rank() == 4 && y.rank() == 4 && g.outH() > 0 && g.outW() > 0
                && (g.outH() - 1) * g.strideH() + g.kernelH() <= x.dim(2)
                && (g.outW() - 1) * g.strideW() + g.kernelW() <= x.dim(3)
                && y.dim(0) == x.dim(0) && y.dim(1) == x.dim(1) && y.dim(2) == g.outH() && y.dim(3) == g.outW();
    }

    // ---- batch normalisation (float: the reference's arithmetic on primitive arrays, split by channels) ----------

    /** Below this many elements a float batch norm pass runs on the calling thread alone. */
    static final int PARALLEL_BN_MIN_ELEMENTS = 1 << 15;
    /** Below this many elements a worker's hand-off (~10-50 µs) costs more than half the loop saves. */
    static final int PARALLEL_ELEMENTWISE_MIN = 1 << 16;

    @Override
    public void batchNormTrainForward(Tensor x, Tensor gamma, Tensor beta, double eps, double momentum,
                                      Tensor runningMean, Tensor runningVar,
                                      Tensor xHat, Tensor mean, Tensor invStd, Tensor y) {
        if (!floatBatchNorm(x, new Tensor[] {xHat, y}, gamma, beta, runningMean, runningVar, mean, invStd)) {
            super.batchNormTrainForward(x, gamma, beta, eps, momentum, runningMean, runningVar, xHat, mean, invStd, y);
            return;
        }
        int n = x.dim(0);
        int ch = x.dim(1);
        int spatial = x.size() / (n * ch);
        float[] xa = f32(x);
        float[] ga = f32(gamma);
        float[] ba = f32(beta);
        float[] rm = f32(runningMean);
        float[] rv = f32(runningVar);
        float[] ha = f32(xHat);
        float[] ma = f32(mean);
        float[] sa = f32(invStd);
        float[] ya = f32(y);
        channelRanges(x, (from, to, worker) -> FloatBatchNorm.trainForward(xa, n, ch, spatial, ga, ba, eps, momentum,
                rm, rv, ha, ma, sa, ya, from, to));
    }

    @Override
    public void batchNormInferForward(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                      double eps, Tensor y) {
        if (!floatBatchNorm(x, new Tensor[] {y}, gamma, beta, runningMean, runningVar)) {
            super.batchNormInferForward(x, gamma, beta, runningMean, runningVar, eps, y);
            return;
        }
        int n = x.dim(0);
        int ch = x.dim(1);
        int spatial = x.size() / (n * ch);
        float[] xa = f32(x);
        float[] ga = f32(gamma);
        float[] ba = f32(beta);
        float[] rm = f32(runningMean);
        float[] rv = f32(runningVar);
        float[] ya = f32(y);
        channelRanges(x, (from, to, worker) -> FloatBatchNorm.inferForward(xa, n, ch, spatial, ga, ba, rm, rv, eps,
                ya, from, to));
    }

    @Override
    public void batchNormBackward(Tensor dy, Tensor xHat, Tensor gamma, Tensor invStd,
                                  Tensor dx, Tensor dGamma, Tensor dBeta) {
        if (!floatBatchNorm(dy, new Tensor[] {xHat, dx}, gamma, invStd, dGamma, dBeta)) {
            super.batchNormBackward(dy, xHat, gamma, invStd, dx, dGamma, dBeta);
            return;
        }
        int n = dy.dim(0);
        int ch = dy.dim(1);
        int spatial = dy.size() / (n * ch);
        float[] da = f32(dy);
        float[] ha = f32(xHat);
        float[] ga = f32(gamma);
        float[] sa = f32(invStd);
        float[] dxa = f32(dx);
        float[] dga = f32(dGamma);
        float[] dba = f32(dBeta);
        channelRanges(dy, (from, to, worker) -> FloatBatchNorm.backward(da, n, ch, spatial, ha, ga, sa, dxa, dga, dba,
                from, to));
    }

    /**
     * The float fast path applies: x of rank >= 2 and at least one element, the same-sized tensors {@code like} x,
     * one value per channel in each of {@code perChannel}, every buffer float (else the reference runs, and reports).
     */
    private boolean floatBatchNorm(Tensor x, Tensor[] like, Tensor... perChannel) {
        if (x.rank() < 2 || x.size() == 0 || !(buf(x) instanceof Buf.F32)) {
            return false;
        }
        for (Tensor t : like) {
            if (t.size() != x.size() || !(buf(t) instanceof Buf.F32)) {
                return false;
            }
        }
        for (Tensor t : perChannel) {
            if (t.size() != x.dim(1) || !(buf(t) instanceof Buf.F32)) {
                return false;
            }
        }
        return true;
    }

    private float[] f32(Tensor t) {
        return ((Buf.F32) buf(t)).a;
    }

    /** Channel ranges of x across the workers, or all on the calling thread below {@link #PARALLEL_BN_MIN_ELEMENTS}. */
    private void channelRanges(Tensor x, ExampleParallelism.RangeTask task) {
        if (x.size() < PARALLEL_BN_MIN_ELEMENTS) {
            task.run(0, x.dim(1), 0);
        } else {
            parallel.forRanges(x.dim(1), task);
        }
    }

    // ---- bias gradients and Adam in float (the reference's arithmetic on primitive arrays) ----------------------

    @Override
    public void biasGradient(Tensor dy, Tensor dBias) {
        if (dy.rank() < 2 || dy.size() == 0 || dBias.size() != dy.dim(1) || !(buf(dy) instanceof Buf.F32)
                || !(buf(dBias) instanceof Buf.F32)) {
            super.biasGradient(dy, dBias);
            return;
        }
        int n = dy.dim(0);
        int ch = dy.dim(1);
        FloatKernels.channelSums(f32(dy), n, ch, dy.size() / (n * ch), f32(dBias));
    }

    @Override
    public void adamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, double lr, double beta1, double beta2,
                           double eps, long step) {
        int size = param.size();
        if (grad.size() != size || m.size() != size || v.size() != size || !(buf(param) instanceof Buf.F32)
                || !(buf(grad) instanceof Buf.F32) || !(buf(m) instanceof Buf.F32) || !(buf(v) instanceof Buf.F32)) {
            super.adamUpdate(param, grad, m, v, lr, beta1, beta2, eps, step);
            return;
        }
        float[] pa = f32(param);
        float[] ga = f32(grad);
        float[] ma = f32(m);
        float[] va = f32(v);
        double c1 = 1 - Math.pow(beta1, step);
        double c2 = 1 - Math.pow(beta2, step);
        elementRanges(size, (from, to, worker) -> FloatKernels.adam(pa, ga, ma, va, lr, beta1, beta2, eps, c1, c2,
                from, to));
    }

    // ---- element-wise layers, split across the workers like the optimizer (the loops are JavaBackend's) ----

    /** Whether every tensor is float (the split loops' case; anything else takes the reference path). */
    private boolean allFloat(Tensor... ts) {
        for (Tensor t : ts) {
            if (!(buf(t) instanceof Buf.F32)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void activationForward(Activation f, Tensor z, Tensor y) {
        if (f != Activation.RELU || z.size() != y.size() || !allFloat(z, y)) {
            super.activationForward(f, z, y);
            return;
        }
        float[] za = f32(z);
        float[] ya = f32(y);
        elementRanges(za.length, (from, to, worker) -> JavaBackend.reluForward(za, ya, from, to));
    }

    @Override
    public void activationBackward(Activation f, Tensor z, Tensor y, Tensor dy, Tensor dz) {
        if (f != Activation.RELU || z.size() != dy.size() || z.size() != dz.size() || !allFloat(z, dy, dz)) {
            super.activationBackward(f, z, y, dy, dz);
            return;
        }
        float[] za = f32(z);
        float[] da = f32(dy);
        float[] oa = f32(dz);
        elementRanges(za.length, (from, to, worker) -> JavaBackend.reluBackward(za, da, oa, from, to));
    }

    @Override
    public void multiply(Tensor x, Tensor y, Tensor out) {
        Shapes.requireSameShape(x, y, "multiply");
        Shapes.requireSameShape(x, out, "multiply");
        if (!allFloat(x, y, out)) {
            super.multiply(x, y, out);
            return;
        }
        float[] xa = f32(x);
        float[] ya = f32(y);
        float[] oa = f32(out);
        elementRanges(xa.length, (from, to, worker) -> JavaBackend.multiply(xa, ya, oa, from, to));
    }

    @Override
    public void dropoutMask(long seed, double p, Tensor mask) {
        if (!allFloat(mask)) {
            super.dropoutMask(seed, p, mask);
            return;
        }
        float[] m = f32(mask);
        elementRanges(m.length, (from, to, worker) -> JavaBackend.dropoutMask(seed, p, m, from, to));
    }

    @Override
    public void sgdUpdate(Tensor param, Tensor grad, Tensor buf, double lr, double momentum, double weightDecay) {
        int size = param.size();
        if (grad.size() != size || buf.size() != size || !(buf(param) instanceof Buf.F32)
                || !(buf(grad) instanceof Buf.F32) || !(buf(buf) instanceof Buf.F32)) {
            super.sgdUpdate(param, grad, buf, lr, momentum, weightDecay);
            return;
        }
        float[] pa = f32(param);
        float[] ga = f32(grad);
        float[] ba = f32(buf);
        elementRanges(size, (from, to, worker) -> FloatKernels.sgd(pa, ga, ba, lr, momentum, weightDecay, from, to));
    }

    @Override
    public boolean allFinite(Tensor t) {
        if (!(buf(t) instanceof Buf.F32)) {
            return super.allFinite(t);
        }
        float[] a = f32(t);
        boolean[] bad = new boolean[parallel.workers()];
        elementRanges(t.size(), (from, to, worker) -> bad[worker] = !FloatReductions.allFinite(a, from, to));
        for (boolean b : bad) {
            if (b) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        if (src.size() < PARALLEL_ELEMENTWISE_MIN || !(buf(src) instanceof Buf.F32) || !(buf(dst) instanceof Buf.F32)) {
            super.copy(src, dst);
            return;
        }
        Shapes.requireSameShape(src, dst, "copy");
        float[] s = f32(src);
        float[] d = f32(dst);
        elementRanges(src.size(), (from, to, worker) -> System.arraycopy(s, from, d, from, to - from));
    }

    /**
     * Element-wise work of the optimizer and the numerical guard over a whole parameter tensor: split across the
     * workers from {@link #PARALLEL_ELEMENTWISE_MIN} elements (W1's 1.6 M-weight dense layer: update, finiteness
     * checks and copies were ~15 ms of its step on one thread while the other core waited).
     */
    private void elementRanges(int size, ExampleParallelism.RangeTask task) {
        if (size < PARALLEL_ELEMENTWISE_MIN) {
            task.run(0, size, 0);
        } else {
            parallel.forRanges(size, task);
        }
    }

    // ---- diagnostics and lifecycle ----------------------------------------------------------------------

    /** How many products ran on OpenBLAS (for tests and diagnostics). */
    public long nativeGemmCount() {
        return nativeGemms.sum();
    }

    /** How many convolution passes (forward or backward) ran on the native path. */
    public long nativeConvCount() {
        return nativeConvs.sum();
    }

    /**
     * Frees every thread's off-heap buffers now; tensors stay valid and later calls allocate afresh. Call it when
     * no other thread is inside an operation of this backend.
     */
    @Override
    public void close() {
        oneDnnConv.close();
        synchronized (scratches) {
            for (WeakReference<Scratch> r : scratches) {
                Scratch s = r.get();
                if (s != null) {
                    s.close();
                }
            }
        }
    }
}
