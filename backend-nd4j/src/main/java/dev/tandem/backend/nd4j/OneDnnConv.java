package dev.tandem.backend.nd4j;

import dev.tandem.learning.tensor.ConvGeometry;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Float convolutions through libnd4j's {@code conv2d}/{@code conv2d_bp} ops, which the oneDNN build of nd4j-native
 * ({@link NativeBuild#oneDnn()}) runs on oneDNN's kernels for the CPU at hand (AVX2 or AVX-512, chosen by oneDNN at
 * run time). On the generic build the same ops are 3–8× slower than Tandem's own paths, so they are used only on
 * the oneDNN build.
 *
 * <p>Threads: as everywhere in this backend, Tandem splits the batch across its workers ({@link ExampleParallelism})
 * and each worker runs its slice single-threaded (its OpenMP team size set to 1 on its first call): oneDNN's own
 * OpenMP threads would spin between calls and, on a shared machine, collapse (measured: 10–60× slower per call at a
 * load average of 9 on 2 cores, while the single-threaded slices degrade gracefully). A batch smaller than the
 * worker count (batch 1) runs as one single-threaded call too; {@link Nd4jBackend} keeps such calls on its
 * row-split Java path where that one can use every worker.
 *
 * <p>Each thread keeps its own native arrays, one per role and shape, reused across calls; the inputs are copied
 * in and the results out (the tensors live on the heap), which costs a few per cent of the convolution.
 */
final class OneDnnConv {
    private final ExampleParallelism parallel;
    private final List<WeakReference<Arrays>> all = new ArrayList<>();
    private final ThreadLocal<Arrays> arrays = ThreadLocal.withInitial(this::newArrays);

    OneDnnConv(ExampleParallelism parallel) {
        this.parallel = parallel;
    }

    /**
     * This path takes the geometry: libnd4j runs it exactly (explicit symmetric pads or its SAME mode; see
     * {@link #convArgs}) and the kernel has more than one tap. A 1×1 convolution is one plain product, which
     * Tandem's OpenBLAS path does faster (W2's output convolution, 32 → 4 channels: 0.22 against 0.45 ms forward,
     * 0.25 against 0.68 ms backward, one thread).
     */
    static boolean supports(ConvGeometry g) {
        return g.kernelH() * g.kernelW() > 1 && convArgs(g) != null;
    }

    /**
     * conv2d integer arguments reproducing a geometry exactly, or null when no libnd4j padding mode does: kH, kW,
     * sH, sW, pH, pW, dH, dW, paddingMode (0 explicit symmetric pads, 1 SAME), dataFormat (0 NCHW), weightsFormat
     * (1 = [oC, iC, kH, kW], Tandem's layout).
     */
    static int[] convArgs(ConvGeometry g) {
        int pT = g.padTop();
        int pL = g.padLeft();
        boolean explicit = pT >= 0 && pL >= 0
                && g.inH() + 2 * pT >= g.kernelH() && g.inW() + 2 * pL >= g.kernelW()
                && (g.inH() + 2 * pT - g.kernelH()) / g.strideH() + 1 == g.outH()
                && (g.inW() + 2 * pL - g.kernelW()) / g.strideW() + 1 == g.outW();
        if (explicit) {
            return new int[] {g.kernelH(), g.kernelW(), g.strideH(), g.strideW(), pT, pL, 1, 1, 0, 0, 1};
        }
        // libnd4j SAME: out = ceil(in/s), pad = ((out−1)·s + k − in) / 2 in C division, the odd cell bottom/right
        boolean same = g.outH() == ceilDiv(g.inH(), g.strideH()) && g.outW() == ceilDiv(g.inW(), g.strideW())
                && pT == ((g.outH() - 1) * g.strideH() + g.kernelH() - g.inH()) / 2
                && pL == ((g.outW() - 1) * g.strideW() + g.kernelW() - g.inW()) / 2;
        return same ? new int[] {g.kernelH(), g.kernelW(), g.strideH(), g.strideW(), 0, 0, 1, 1, 1, 0, 1} : null;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /** y = conv(x, w) + bias for x [n, c, inH, inW], w [o, c, kH, kW] (bias may be null). */
    void forward(float[] x, float[] w, float[] bias, int n, int c, int o, ConvGeometry g, float[] y) {
        int[] args = require(g);
        int inPer = c * g.inH() * g.inW();
        int outPer = o * g.outH() * g.outW();
        if (n < parallel.workers()) {
            arrays.get().forward(x, w, bias, 0, n, c, o, g, args, inPer, outPer, y, 1);
        } else {
            parallel.forRanges(n, (from, to, worker) ->
                    arrays.get().forward(x, w, bias, from, to, c, o, g, args, inPer, outPer, y, 1));
        }
    }

    /**
     * dx (not null: libnd4j always computes it) and dw, both overwritten; the bias gradient is the caller's. The
     * workers' weight gradients are summed in a fixed order, so the result does not depend on timing.
     */
    void backward(float[] x, float[] w, float[] dy, int n, int c, int o, ConvGeometry g, float[] dx, float[] dw) {
        int[] args = require(g);
        int inPer = c * g.inH() * g.inW();
        int outPer = o * g.outH() * g.outW();
        if (n < parallel.workers()) {
            arrays.get().backward(x, w, dy, 0, n, c, o, g, args, inPer, outPer, dx, dw, 1);
            return;
        }
        // the arrays may be longer than the tensors (reused storage): sizes come from the shapes
        int wLen = o * c * g.kernelH() * g.kernelW();
        float[][] partial = parallel.partials(wLen);
        int used = parallel.forRanges(n, (from, to, worker) -> arrays.get().backward(x, w, dy, from, to, c, o, g,
                args, inPer, outPer, dx, worker == 0 ? dw : partial[worker], 1));
        for (int k = 1; k < used; k++) {
            float[] part = partial[k];
            for (int i = 0; i < wLen; i++) {
                dw[i] += part[i];
            }
        }
    }

    void close() {
        synchronized (all) {
            for (WeakReference<Arrays> r : all) {
                Arrays a = r.get();
                if (a != null) {
                    a.close();
                }
            }
            all.clear();
        }
    }

    private static int[] require(ConvGeometry g) {
        int[] args = convArgs(g);
        if (args == null) {
            throw new IllegalArgumentException("no libnd4j padding mode reproduces " + g);
        }
        return args;
    }

    private Arrays newArrays() {
        Arrays a = new Arrays();
        synchronized (all) {
            all.removeIf(r -> r.get() == null);
            all.add(new WeakReference<>(a));
        }
        return a;
    }

    /** An op with its context: integer arguments, inputs and outputs set once. */
    private static final class Prepared {
        final DynamicCustomOp op;
        final OpContext context;

        Prepared(String name, int[] args, INDArray[] in, INDArray[] out) {
            op = DynamicCustomOp.builder(name).addInputs(in).addOutputs(out).addIntegerArguments(args).build();
            context = Nd4j.getExecutioner().buildContext();
            long[] iArgs = new long[args.length];
            for (int i = 0; i < args.length; i++) {
                iArgs[i] = args[i];
            }
            context.setIArguments(iArgs);
            for (int i = 0; i < in.length; i++) {
                context.setInputArray(i, in[i]);
            }
            for (int i = 0; i < out.length; i++) {
                context.setOutputArray(i, out[i]);
            }
        }

        void close() {
            try {
                context.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing a libnd4j op context failed", e);
            }
        }
    }

    /** One thread's native arrays, by role and shape, and the OpenMP team size last set on this thread. */
    private static final class Arrays {
        private final Map<String, INDArray> byKey = new HashMap<>();
        private final Map<String, Prepared> prepared = new HashMap<>();
        private int ompThreads = -1;

        void forward(float[] x, float[] w, float[] bias, int from, int to, int c, int o, ConvGeometry g, int[] args,
                     int inPer, int outPer, float[] y, int threads) {
            team(threads);
            int m = to - from;
            INDArray xa = upload("x", x, from * inPer, m * inPer, m, c, g.inH(), g.inW());
            INDArray wa = upload("w", w, 0, o * c * g.kernelH() * g.kernelW(), o, c, g.kernelH(), g.kernelW());
            INDArray ya = array("y", m, o, g.outH(), g.outW());
            INDArray ba = bias == null ? null : upload("b", bias, 0, o, o);
            run("conv2d", args, ba == null ? new INDArray[] {xa, wa} : new INDArray[] {xa, wa, ba},
                    new INDArray[] {ya});
            download(ya, y, from * outPer, m * outPer);
        }

        void backward(float[] x, float[] w, float[] dy, int from, int to, int c, int o, ConvGeometry g, int[] args,
                      int inPer, int outPer, float[] dx, float[] dw, int threads) {
            team(threads);
            int m = to - from;
            INDArray xa = upload("x", x, from * inPer, m * inPer, m, c, g.inH(), g.inW());
            int wLen = o * c * g.kernelH() * g.kernelW();
            INDArray wa = upload("w", w, 0, wLen, o, c, g.kernelH(), g.kernelW());
            INDArray dya = upload("dy", dy, from * outPer, m * outPer, m, o, g.outH(), g.outW());
            INDArray dxa = array("dx", m, c, g.inH(), g.inW());
            INDArray dwa = array("dw", o, c, g.kernelH(), g.kernelW());
            run("conv2d_bp", args, new INDArray[] {xa, wa, dya}, new INDArray[] {dxa, dwa});
            download(dxa, dx, from * inPer, m * inPer);
            download(dwa, dw, 0, wLen);
        }

        /**
         * Runs the op on a context prepared once per op, arguments and shapes (this thread's arrays for them never
         * change). {@code Nd4j.exec(op)} would build a context per call, with native buffers for its arguments
         * and shapes (six JavaCPP pointers per convolution) that only the GC frees.
         */
        private void run(String name, int[] args, INDArray[] in, INDArray[] out) {
            StringBuilder k = new StringBuilder(name).append(java.util.Arrays.toString(args));
            // this thread holds one array per role and shape, so op, arguments and shapes name the arrays
            for (INDArray a : in) {
                k.append('#').append(java.util.Arrays.toString(a.shape()));
            }
            for (INDArray a : out) {
                k.append('>').append(java.util.Arrays.toString(a.shape()));
            }
            Prepared p = prepared.get(k.toString());
            if (p == null) {
                p = new Prepared(name, args, in, out);
                prepared.put(k.toString(), p);
            }
            Nd4j.getExecutioner().exec(p.op, p.context);
        }

        private void team(int threads) {
            if (ompThreads != threads) {
                // looked up here, not in a static initialiser: ND4J must have loaded first (Nd4jRuntime)
                NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
                ops.setOmpNumThreads(threads);
                ompThreads = threads;
            }
        }

        private INDArray array(String role, long... shape) {
            String key = role + java.util.Arrays.toString(shape);
            INDArray a = byKey.get(key);
            if (a == null) {
                a = Nd4j.create(DataType.FLOAT, shape, 'c');
                byKey.put(key, a);
            }
            return a;
        }

        private INDArray upload(String role, float[] src, int offset, int length, long... shape) {
            INDArray a = array(role, shape);
            new FloatPointer(a.data().addressPointer()).put(src, offset, length);
            java.lang.ref.Reference.reachabilityFence(a);
            return a;
        }

        private static void download(INDArray a, float[] dst, int offset, int length) {
            new FloatPointer(a.data().addressPointer()).get(dst, offset, length);
            // the copy reads native memory that the array's deallocator frees once the array is unreachable (a
            // JVM crash in this copy, seen when the worker's thread-locals were erased mid-call)
            java.lang.ref.Reference.reachabilityFence(a);
        }

        synchronized void close() {
            prepared.values().forEach(Prepared::close);
            prepared.clear();
            byKey.values().forEach(INDArray::close);
            byKey.clear();
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "OneDnnConv(%d workers)", parallel.workers());
    }
}
