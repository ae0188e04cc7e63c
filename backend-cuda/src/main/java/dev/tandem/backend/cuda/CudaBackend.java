package dev.tandem.backend.cuda;

import dev.tandem.learning.tensor.Activation;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.ConvGeometry;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.GemmShape;
import dev.tandem.learning.tensor.Shapes;
import dev.tandem.learning.tensor.Tensor;
import dev.tandem.learning.tensor.Unary;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static jcuda.driver.JCudaDriver.cuMemcpyDtoD;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD8;

/**
 * The CUDA backend ({@code compute.backend = cuda}): tensors live in device memory and stay there between
 * operations; every operation is one or a few of Tandem's own kernels ({@code src/main/cuda}, shipped as PTX), and
 * the host sees numbers only where the SPI returns them (reductions, the loss) or asks for a copy. It implements the
 * SPI's core and overrides every fused kernel the models use with a kernel of its own (one pass instead of the
 * defaults' several). Float and double; the arguments of one call must share one precision.
 *
 * <p>Products: a tiled, register-blocked GEMM (64×64 tiles, 4×4 per thread). Convolutions: im2col over the whole
 * batch, one GEMM, and a layout kernel back to NCHW; their backward pass the same with a gather col2im (no atomics,
 * so results do not depend on scheduling). Reductions add per-block partials in double.
 *
 * <p>Thread safety: every call holds the process-wide lock of {@link CudaRuntime} (one CUDA context per process);
 * the scratch buffers below are used under it.
 */
public final class CudaBackend implements Backend {
    public static final String NAME = "cuda";
    private static final int TPB = 256;
    private static final int REDUCE_BLOCKS = 256;

    private final CudaRuntime rt;
    /** Grow-only scratch: convolution columns, their products, reduction partials, per-row losses, LSTM terms. */
    private final Scratch scratch;

    CudaBackend(CudaRuntime rt) {
        this.rt = rt;
        this.scratch = new Scratch(this);
    }

    /** The CUDA backend, or IllegalStateException saying why CUDA cannot run here. */
    public static CudaBackend create() {
        return new CudaBackend(CudaRuntime.require());
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The device's FP32 peak (GFLOP/s, without tensor cores), what the GEMM is measured against. */
    public double peakFp32Gflops() {
        return rt.peakFp32Gflops();
    }

    /** The device and its limits, as {@code tandem info} shows them. */
    public String describe() {
        return rt.description();
    }

    // ---- memory ---------------------------------------------------------------------------------------

    CudaTensor allocate(DType dtype, int[] shape) {
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
        }
        long bytes = (long) Shapes.size(shape) * dtype.bytes();
        return new CudaTensor(this, dtype, shape, rt.pool().allocate(Math.max(bytes, 1)));
    }

    @Override
    public Tensor zeros(DType dtype, int... shape) {
        return rt.locked(() -> {
            CudaTensor t = allocate(dtype, shape);
            if (t.bytes() > 0) {
                cuMemsetD8(t.ptr(), (byte) 0, t.bytes()); // all-zero bits are 0.0 in float and double
            }
            return t;
        });
    }

    @Override
    public Tensor fromHost(float[] data, int... shape) {
        checkLength(Shapes.size(shape), data.length);
        return rt.locked(() -> {
            CudaTensor t = allocate(DType.FLOAT32, shape);
            if (data.length > 0) {
                cuMemcpyHtoD(t.ptr(), Pointer.to(data), t.bytes());
            }
            return t;
        });
    }

    @Override
    public Tensor fromHost(double[] data, int... shape) {
        checkLength(Shapes.size(shape), data.length);
        return rt.locked(() -> {
            CudaTensor t = allocate(DType.FLOAT64, shape);
            if (data.length > 0) {
                cuMemcpyHtoD(t.ptr(), Pointer.to(data), t.bytes());
            }
            return t;
        });
    }

    @Override
    public void copyToHost(Tensor src, float[] dst) {
        CudaTensor s = t(src);
        checkLength(s.size(), dst.length);
        if (dst.length == 0) {
            return;
        }
        if (s.dtype() == DType.FLOAT32) {
            rt.locked(() -> cuMemcpyDtoH(Pointer.to(dst), s.ptr(), s.bytes()));
        } else {
            double[] d = new double[dst.length];
            rt.locked(() -> cuMemcpyDtoH(Pointer.to(d), s.ptr(), s.bytes()));
            for (int i = 0; i < d.length; i++) {
                dst[i] = (float) d[i];
            }
        }
    }

    @Override
    public void copyToHost(Tensor src, double[] dst) {
        CudaTensor s = t(src);
        checkLength(s.size(), dst.length);
        if (dst.length == 0) {
            return;
        }
        if (s.dtype() == DType.FLOAT64) {
            rt.locked(() -> cuMemcpyDtoH(Pointer.to(dst), s.ptr(), s.bytes()));
        } else {
            float[] f = new float[dst.length];
            rt.locked(() -> cuMemcpyDtoH(Pointer.to(f), s.ptr(), s.bytes()));
            for (int i = 0; i < f.length; i++) {
                dst[i] = f[i];
            }
        }
    }

    @Override
    public void copyFromHost(float[] src, Tensor dst) {
        CudaTensor d = t(dst);
        checkLength(d.size(), src.length);
        if (src.length == 0) {
            return;
        }
        if (d.dtype() == DType.FLOAT32) {
            rt.locked(() -> cuMemcpyHtoD(d.ptr(), Pointer.to(src), d.bytes()));
        } else {
            double[] v = new double[src.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = src[i];
            }
            rt.locked(() -> cuMemcpyHtoD(d.ptr(), Pointer.to(v), d.bytes()));
        }
    }

    @Override
    public void copyFromHost(double[] src, Tensor dst) {
        CudaTensor d = t(dst);
        checkLength(d.size(), src.length);
        if (src.length == 0) {
            return;
        }
        if (d.dtype() == DType.FLOAT64) {
            rt.locked(() -> cuMemcpyHtoD(d.ptr(), Pointer.to(src), d.bytes()));
        } else {
            float[] v = new float[src.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) src[i];
            }
            rt.locked(() -> cuMemcpyHtoD(d.ptr(), Pointer.to(v), d.bytes()));
        }
    }

    @Override
    public Tensor reshape(Tensor t, int... shape) {
        CudaTensor c = t(t);
        if (Shapes.size(shape) != c.size()) {
            throw new IllegalArgumentException("cannot reshape " + c.describe() + " to " + Arrays.toString(shape));
        }
        return new CudaTensor(this, c.dtype(), shape, c.memory());
    }

    @Override
    public void copyExamples(Tensor src, int srcFirst, Tensor dst, int dstFirst, int count) {
        CudaTensor s = t(src);
        CudaTensor d = t(dst);
        sameType(s, d);
        int per = Shapes.perExample(s.shape());
        if (per != Shapes.perExample(d.shape())) {
            throw new IllegalArgumentException("copyExamples: example shapes differ: " + s.describe() + " vs "
                    + d.describe());
        }
        if (srcFirst < 0 || dstFirst < 0 || count < 0 || srcFirst + count > s.dim(0) || dstFirst + count > d.dim(0)) {
            throw new IllegalArgumentException("copyExamples: examples [" + srcFirst + ", " + (srcFirst + count)
                    + ") of " + s.describe() + " to [" + dstFirst + ", ...) of " + d.describe());
        }
        long bytes = (long) count * per * s.dtype().bytes();
        if (bytes > 0) {
            rt.locked(() -> cuMemcpyDtoD(d.at((long) dstFirst * per), s.at((long) srcFirst * per), bytes));
        }
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        Shapes.requireSameShape(src, dst, "copy");
        CudaTensor s = t(src);
        CudaTensor d = t(dst);
        sameType(s, d);
        if (s.bytes() > 0 && s.ptr() != d.ptr()) {
            rt.locked(() -> cuMemcpyDtoD(d.ptr(), s.ptr(), s.bytes()));
        }
    }

    // ---- element-wise and reductions ------------------------------------------------------------------

    @Override
    public void fill(Tensor t, double value) {
        CudaTensor c = t(t);
        run1("fill", c, c.size(), new Args().ptr(c).d(value).i(c.size()));
    }

    @Override
    public void clamp(Tensor t, double lo, double hi) {
        CudaTensor c = t(t);
        run1("clamp", c, c.size(), new Args().ptr(c).d(lo).d(hi).i(c.size()));
    }

    @Override
    public void axpby(double a, Tensor x, double b, Tensor y) {
        Shapes.requireSameShape(x, y, "axpby");
        CudaTensor cx = t(x);
        CudaTensor cy = t(y);
        sameType(cx, cy);
        run1("axpby", cx, cx.size(), new Args().d(a).ptr(cx).d(b).ptr(cy).i(cx.size()));
    }

    @Override
    public void multiply(Tensor x, Tensor y, Tensor out) {
        binary("multiply", x, y, out);
    }

    @Override
    public void divide(Tensor x, Tensor y, Tensor out) {
        binary("divide", x, y, out);
    }

    private void binary(String kernel, Tensor x, Tensor y, Tensor out) {
        Shapes.requireSameShape(x, y, kernel);
        Shapes.requireSameShape(x, out, kernel);
        CudaTensor cx = t(x);
        CudaTensor cy = t(y);
        CudaTensor co = t(out);
        sameType(cx, cy, co);
        run1(kernel, cx, cx.size(), new Args().ptr(cx).ptr(cy).ptr(co).i(cx.size()));
    }

    @Override
    public void unary(Unary op, Tensor x, Tensor y) {
        Shapes.requireSameShape(x, y, "unary");
        CudaTensor cx = t(x);
        CudaTensor cy = t(y);
        sameType(cx, cy);
        run1("unary", cx, cx.size(), new Args().i(op.ordinal()).ptr(cx).ptr(cy).i(cx.size()));
    }

    @Override
    public void addScalar(Tensor t, double c) {
        CudaTensor ct = t(t);
        run1("add_scalar", ct, ct.size(), new Args().ptr(ct).d(c).i(ct.size()));
    }

    @Override
    public void scaleChannels(Tensor x, Tensor scale, Tensor out) {
        Shapes.requireSameShape(x, out, "scaleChannels");
        CudaTensor cx = t(x);
        CudaTensor cs = t(scale);
        CudaTensor co = t(out);
        sameType(cx, cs, co);
        int channels = cx.dim(1);
        if (cs.size() != channels) {
            throw new IllegalArgumentException("scaleChannels: " + cs.describe() + " for the " + channels
                    + " channels of " + cx.describe());
        }
        run1("scale_channels", cx, cx.size(), new Args().ptr(cx).ptr(cs).ptr(co).i(cx.size()).i(channels)
                .i(spatial(cx)));
    }

    @Override
    public double sum(Tensor t) {
        return reduce(0, t(t), null);
    }

    @Override
    public double sumSquares(Tensor t) {
        return reduce(1, t(t), null);
    }

    @Override
    public double sumAbs(Tensor t) {
        return reduce(2, t(t), null);
    }

    @Override
    public double dot(Tensor x, Tensor y) {
        Shapes.requireSameShape(x, y, "dot");
        CudaTensor cx = t(x);
        CudaTensor cy = t(y);
        sameType(cx, cy);
        return reduce(3, cx, cy);
    }

    @Override
    public boolean allFinite(Tensor t) {
        return reduce(4, t(t), null) == 0;
    }

    /** One reduction kernel (mode as in reduce_t.cuh), its per-block partials added on the host in order. */
    private double reduce(int mode, CudaTensor x, CudaTensor y) {
        int n = x.size();
        if (n == 0) {
            return 0;
        }
        int blocks = Math.min(REDUCE_BLOCKS, (n + TPB - 1) / TPB);
        double[] partials = new double[blocks];
        rt.locked(() -> {
            CudaTensor p = scratch.get("partials", DType.FLOAT64, REDUCE_BLOCKS);
            launch(kernel("reduce", x), blocks, 1, new Args().i(mode).ptr(x).ptr(y == null ? x : y).i(n).ptr(p));
            cuMemcpyDtoH(Pointer.to(partials), p.ptr(), (long) blocks * Double.BYTES);
        });
        double s = 0;
        for (double v : partials) {
            s += v;
        }
        return s;
    }

    // ---- dense algebra --------------------------------------------------------------------------------

    @Override
    public void gemm(boolean transA, boolean transB, double alpha, Tensor a, Tensor b, double beta, Tensor c) {
        GemmShape g = GemmShape.of(transA, transB, a, b, c);
        CudaTensor ca = t(a);
        CudaTensor cb = t(b);
        CudaTensor cc = t(c);
        sameType(ca, cb, cc);
        rt.locked(() -> gemmRaw(transA, transB, g.m(), g.n(), g.k(), alpha, ca.ptr(), cb.ptr(), beta, cc.ptr(),
                ca.dtype()));
    }

    /** The GEMM kernel on raw device addresses; the caller holds the lock. */
    void gemmRaw(boolean transA, boolean transB, int m, int n, int k, double alpha, CUdeviceptr a, CUdeviceptr b,
                 double beta, CUdeviceptr c, DType dt) {
        if (m == 0 || n == 0) {
            return;
        }
        int gx = (n + 63) / 64;
        int gy = (m + 63) / 64;
        rt.launch("gemm" + suffix(dt), gx, gy, TPB, new Args().i(transA ? 1 : 0).i(transB ? 1 : 0).i(m).i(n).i(k)
                .d(alpha).ptr(a).ptr(b).d(beta).ptr(c));
    }

    @Override
    public void addBias(Tensor y, Tensor bias) {
        CudaTensor cy = t(y);
        CudaTensor cb = t(bias);
        sameType(cy, cb);
        if (cb.size() != cy.dim(1)) {
            throw new IllegalArgumentException("addBias: " + cb.describe() + " for " + cy.describe());
        }
        run1("add_bias", cy, cy.size(), new Args().ptr(cy).ptr(cb).i(cy.size()).i(cy.dim(1)).i(spatial(cy)));
    }

    @Override
    public void biasGradient(Tensor dy, Tensor dBias) {
        CudaTensor d = t(dy);
        CudaTensor g = t(dBias);
        sameType(d, g);
        int channels = d.dim(1);
        if (g.size() != channels) {
            throw new IllegalArgumentException("biasGradient: " + g.describe() + " for " + d.describe());
        }
        rt.locked(() -> biasGradientRaw(d, g, d.dim(0), channels, spatial(d)));
    }

    private void biasGradientRaw(CudaTensor dy, CudaTensor dBias, int n, int channels, int spatial) {
        if (channels > 0) {
            launch(kernel("bias_gradient", dy), channels, 1, new Args().ptr(dy).ptr(dBias).i(n).i(channels).i(spatial));
        }
    }

    // ---- convolution and pooling ----------------------------------------------------------------------

    private static void checkConv(CudaTensor x, CudaTensor w, ConvGeometry g) {
        int[] ws = w.shape();
        if (x.rank() != 4 || ws.length != 4 || ws[1] != x.dim(1) || ws[2] != g.kernelH() || ws[3] != g.kernelW()) {
            throw new IllegalArgumentException("conv weights " + Arrays.toString(ws) + " do not match " + x.dim(1)
                    + " input channels and kernel " + g.kernelH() + "x" + g.kernelW());
        }
        if (x.dim(2) != g.inH() || x.dim(3) != g.inW()) {
            throw new IllegalArgumentException("conv input " + x.describe() + " does not match the geometry " + g);
        }
    }

    private Args geometry(Args a, int n, int c, ConvGeometry g) {
        return a.i(n).i(c).i(g.inH()).i(g.inW()).i(g.kernelH()).i(g.kernelW()).i(g.strideH()).i(g.strideW())
                .i(g.padTop()).i(g.padLeft()).i(g.outH()).i(g.outW());
    }

    /** col [C·kH·kW, N·P] of x; the caller holds the lock. */
    private CudaTensor im2col(CudaTensor x, ConvGeometry g) {
        int n = x.dim(0);
        int c = x.dim(1);
        int rows = c * g.kernelH() * g.kernelW();
        int cols = n * g.outH() * g.outW();
        CudaTensor col = scratch.get("col", x.dtype(), rows, cols);
        long total = (long) rows * cols;
        launch(kernel("im2col", x), grid(total), 1, geometry(new Args().ptr(x).ptr(col), n, c, g));
        return col;
    }

    @Override
    public void conv2dForward(Tensor x, Tensor w, Tensor bias, ConvGeometry g, Tensor y) {
        CudaTensor cx = t(x);
        CudaTensor cw = t(w);
        CudaTensor cy = t(y);
        CudaTensor cb = bias == null ? null : t(bias);
        sameType(cx, cw, cy);
        if (cb != null) {
            sameType(cx, cb);
        }
        checkConv(cx, cw, g);
        int n = cx.dim(0);
        int o = cw.dim(0);
        int p = g.outH() * g.outW();
        if (!Arrays.equals(cy.shape(), new int[] {n, o, g.outH(), g.outW()})) {
            throw new IllegalArgumentException("conv output " + cy.describe() + " for " + n + " examples, " + o
                    + " channels and " + g.outH() + "x" + g.outW());
        }
        if (cy.size() == 0) {
            return;
        }
        rt.locked(() -> {
            int rows = cx.dim(1) * g.kernelH() * g.kernelW();
            CudaTensor col = im2col(cx, g);
            CudaTensor prod = scratch.get("prod", cx.dtype(), o, n * p);
            gemmRaw(false, false, o, n * p, rows, 1, cw.ptr(), col.ptr(), 0, prod.ptr(), cx.dtype());
            launch(kernel("onp_to_nop", cx), grid(cy.size()), 1, new Args().ptr(prod).ptr(cb == null ? prod : cb)
                    .ptr(cy).i(n).i(o).i(p).i(cb == null ? 0 : 1));
        });
    }

    @Override
    public void conv2dBackward(Tensor x, Tensor w, Tensor dy, ConvGeometry g, Tensor dx, Tensor dw, Tensor dBias) {
        CudaTensor cx = t(x);
        CudaTensor cw = t(w);
        CudaTensor cdy = t(dy);
        CudaTensor cdw = t(dw);
        CudaTensor cdx = dx == null ? null : t(dx);
        sameType(cx, cw, cdy, cdw);
        checkConv(cx, cw, g);
        Shapes.requireSameShape(cw, cdw, "conv2dBackward");
        if (cdx != null) {
            sameType(cx, cdx);
            Shapes.requireSameShape(cx, cdx, "conv2dBackward");
        }
        int n = cx.dim(0);
        int c = cx.dim(1);
        int o = cw.dim(0);
        int p = g.outH() * g.outW();
        int rows = c * g.kernelH() * g.kernelW();
        rt.locked(() -> {
            CudaTensor dyT = scratch.get("prod", cx.dtype(), o, n * p);
            launch(kernel("nop_to_onp", cx), grid(cdy.size()), 1, new Args().ptr(cdy).ptr(dyT).i(n).i(o).i(p));
            CudaTensor col = im2col(cx, g);
            // dW [O, rows] = dyT [O, N·P] · colᵀ
            gemmRaw(false, true, o, rows, n * p, 1, dyT.ptr(), col.ptr(), 0, cdw.ptr(), cx.dtype());
            if (cdx != null) {
                // dcol [rows, N·P] = Wᵀ · dyT, reusing the column buffer; then the gather back to the input
                gemmRaw(true, false, rows, n * p, o, 1, cw.ptr(), dyT.ptr(), 0, col.ptr(), cx.dtype());
                launch(kernel("col2im", cx), grid(cdx.size()), 1, geometry(new Args().ptr(col).ptr(cdx), n, c, g));
            }
        });
        if (dBias != null) {
            biasGradient(dy, dBias);
        }
    }

    private static void checkPool(CudaTensor x, CudaTensor out, ConvGeometry g, String op) {
        if (x.rank() != 4 || out.rank() != 4 || out.dim(0) != x.dim(0) || out.dim(1) != x.dim(1)
                || out.dim(2) != g.outH() || out.dim(3) != g.outW() || x.dim(2) != g.inH() || x.dim(3) != g.inW()) {
            throw new IllegalArgumentException(op + ": " + x.describe() + " and " + out.describe()
                    + " do not match the geometry " + g);
        }
    }

    @Override
    public void maxPoolForward(Tensor x, ConvGeometry g, Tensor y) {
        CudaTensor cx = t(x);
        CudaTensor cy = t(y);
        sameType(cx, cy);
        checkPool(cx, cy, g, "maxPoolForward");
        int planes = cx.dim(0) * cx.dim(1);
        run1("max_pool_forward", cx, cy.size(), new Args().ptr(cx).ptr(cy).i(planes).i(g.inH()).i(g.inW())
                .i(g.kernelH()).i(g.kernelW()).i(g.strideH()).i(g.strideW()).i(g.outH()).i(g.outW()));
    }

    @Override
    public void maxPoolBackward(Tensor x, Tensor dy, ConvGeometry g, Tensor dx) {
        CudaTensor cx = t(x);
        CudaTensor cdy = t(dy);
        CudaTensor cdx = t(dx);
        sameType(cx, cdy, cdx);
        checkPool(cx, cdy, g, "maxPoolBackward");
        Shapes.requireSameShape(cx, cdx, "maxPoolBackward");
        int planes = cx.dim(0) * cx.dim(1);
        run1("max_pool_backward", cx, cdx.size(), new Args().ptr(cx).ptr(cdy).ptr(cdx).i(planes).i(g.inH())
                .i(g.inW()).i(g.kernelH()).i(g.kernelW()).i(g.strideH()).i(g.strideW()).i(g.outH()).i(g.outW()));
    }

    // ---- activations ----------------------------------------------------------------------------------

    @Override
    public void activationForward(Activation f, Tensor z, Tensor y) {
        Shapes.requireSameShape(z, y, "activationForward");
        CudaTensor cz = t(z);
        CudaTensor cy = t(y);
        sameType(cz, cy);
        run1("activation_forward", cz, cz.size(), new Args().i(f.ordinal()).ptr(cz).ptr(cy).i(cz.size()));
    }

    @Override
    public void activationBackward(Activation f, Tensor z, Tensor y, Tensor dy, Tensor dz) {
        Shapes.requireSameShape(z, dz, "activationBackward");
        CudaTensor cz = t(z);
        CudaTensor cy = t(y);
        CudaTensor cdy = t(dy);
        CudaTensor cdz = t(dz);
        sameType(cz, cy, cdy, cdz);
        run1("activation_backward", cz, cz.size(), new Args().i(f.ordinal()).ptr(cz).ptr(cy).ptr(cdy).ptr(cdz)
                .i(cz.size()));
    }

    @Override
    public void softmaxRows(Tensor x, Tensor y) {
        Shapes.requireSameShape(x, y, "softmaxRows");
        CudaTensor cx = t(x);
        CudaTensor cy = t(y);
        sameType(cx, cy);
        int rows = cx.dim(0);
        run1("softmax_rows", cx, rows, new Args().ptr(cx).ptr(cy).i(rows).i(rows == 0 ? 0 : cx.size() / rows));
    }

    @Override
    public void softmaxRowsBackward(Tensor y, Tensor dy, Tensor dx) {
        CudaTensor cy = t(y);
        CudaTensor cdy = t(dy);
        CudaTensor cdx = t(dx);
        sameType(cy, cdy, cdx);
        int rows = cy.dim(0);
        run1("softmax_rows_backward", cy, rows, new Args().ptr(cy).ptr(cdy).ptr(cdx).i(rows)
                .i(rows == 0 ? 0 : cy.size() / rows));
    }

    @Override
    public void adaptiveActivationForward(Activation f, Tensor z, Tensor slope, double scale, Tensor y) {
        Shapes.requireSameShape(z, y, "adaptiveActivationForward");
        CudaTensor cz = t(z);
        CudaTensor cs = t(slope);
        CudaTensor cy = t(y);
        sameType(cz, cs, cy);
        run1("adaptive_forward", cz, cz.size(), new Args().i(f.ordinal()).ptr(cz).ptr(cs).d(scale).ptr(cy)
                .i(cz.size()).i(cs.size()));
    }

    @Override
    public void adaptiveActivationBackward(Activation f, Tensor z, Tensor slope, double scale, Tensor y, Tensor dy,
                                           Tensor dz, Tensor dSlope) {
        Shapes.requireSameShape(z, dy, "adaptiveActivationBackward");
        Shapes.requireSameShape(z, dz, "adaptiveActivationBackward");
        CudaTensor cz = t(z);
        CudaTensor cs = t(slope);
        CudaTensor cy = t(y);
        CudaTensor cdy = t(dy);
        CudaTensor cdz = t(dz);
        CudaTensor cds = t(dSlope);
        sameType(cz, cs, cy, cdy, cdz, cds);
        int per = cs.size();
        int n = cz.size();
        rt.locked(() -> {
            CudaTensor dTimesZ = scratch.get("terms", cz.dtype(), n);
            launch(kernel("adaptive_backward", cz), grid(n), 1, new Args().i(f.ordinal()).ptr(cz).ptr(cs).d(scale)
                    .ptr(cy).ptr(cdy).ptr(cdz).ptr(dTimesZ).i(n).i(per));
            // Σ over the rows of a [n / per, per] view: one "channel" per slope
            biasGradientRaw(dTimesZ, cds, n / per, per, 1);
            launch(kernel("axpby", cz), grid(per), 1, new Args().d(scale).ptr(cds).d(0).ptr(cds).i(per));
        });
    }

    // ---- batch normalisation --------------------------------------------------------------------------

    @Override
    public void batchNormTrainForward(Tensor x, Tensor gamma, Tensor beta, double eps, double momentum,
                                      Tensor runningMean, Tensor runningVar, Tensor xHat, Tensor mean, Tensor invStd,
                                      Tensor y) {
        CudaTensor cx = t(x);
        CudaTensor[] all = {cx, t(gamma), t(beta), t(runningMean), t(runningVar), t(xHat), t(mean), t(invStd), t(y)};
        sameType(all);
        int channels = cx.dim(1);
        rt.locked(() -> launch(kernel("batch_norm_train_forward", cx), channels, 1, new Args().ptr(cx).ptr(all[1])
                .ptr(all[2]).d(eps).d(momentum).ptr(all[3]).ptr(all[4]).ptr(all[5]).ptr(all[6]).ptr(all[7])
                .ptr(all[8]).i(cx.dim(0)).i(channels).i(spatial(cx))));
    }

    @Override
    public void batchNormInferForward(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                      double eps, Tensor y) {
        CudaTensor cx = t(x);
        CudaTensor[] all = {cx, t(gamma), t(beta), t(runningMean), t(runningVar), t(y)};
        sameType(all);
        run1("batch_norm_infer_forward", cx, cx.size(), new Args().ptr(cx).ptr(all[1]).ptr(all[2]).ptr(all[3])
                .ptr(all[4]).d(eps).ptr(all[5]).i(cx.size()).i(cx.dim(1)).i(spatial(cx)));
    }

    @Override
    public void batchNormBackward(Tensor dy, Tensor xHat, Tensor gamma, Tensor invStd, Tensor dx, Tensor dGamma,
                                  Tensor dBeta) {
        CudaTensor cdy = t(dy);
        CudaTensor[] all = {cdy, t(xHat), t(gamma), t(invStd), t(dx), t(dGamma), t(dBeta)};
        sameType(all);
        int channels = cdy.dim(1);
        rt.locked(() -> launch(kernel("batch_norm_backward", cdy), channels, 1, new Args().ptr(cdy).ptr(all[1])
                .ptr(all[2]).ptr(all[3]).ptr(all[4]).ptr(all[5]).ptr(all[6]).i(cdy.dim(0)).i(channels)
                .i(spatial(cdy))));
    }

    // ---- randomness -----------------------------------------------------------------------------------

    @Override
    public void counterUniform(long seed, long stride, long offset, Tensor out) {
        CudaTensor c = t(out);
        run1("counter_uniform", c, c.size(), new Args().l(seed).l(stride).l(offset).ptr(c).i(c.size()));
    }

    @Override
    public void dropoutMask(long seed, double p, Tensor mask) {
        CudaTensor c = t(mask);
        run1("dropout_mask", c, c.size(), new Args().l(seed).d(p).ptr(c).i(c.size()));
    }

    // ---- losses ---------------------------------------------------------------------------------------

    @Override
    public double softmaxCrossEntropy(Tensor logits, Tensor targets, Tensor probs) {
        Shapes.requireSameShape(logits, targets, "softmaxCrossEntropy");
        CudaTensor z = t(logits);
        CudaTensor tg = t(targets);
        CudaTensor p = t(probs);
        sameType(z, tg, p);
        int rows = z.dim(0);
        if (rows == 0) {
            return 0;
        }
        int cols = z.size() / rows;
        double[] loss = new double[rows];
        rt.locked(() -> {
            CudaTensor rowLoss = scratch.get("rowLoss", DType.FLOAT64, rows);
            launch(kernel("softmax_cross_entropy", z), grid(rows), 1, new Args().ptr(z).ptr(tg).ptr(p).ptr(rowLoss)
                    .i(rows).i(cols));
            cuMemcpyDtoH(Pointer.to(loss), rowLoss.ptr(), (long) rows * Double.BYTES);
        });
        double s = 0;
        for (double v : loss) {
            s += v;
        }
        return s / rows;
    }

    // ---- optimizer updates ----------------------------------------------------------------------------

    @Override
    public void sgdUpdate(Tensor param, Tensor grad, Tensor buf, double lr, double momentum, double weightDecay) {
        proximalSgdUpdate(param, grad, null, buf, lr, momentum, weightDecay, 0);
    }

    @Override
    public void proximalSgdUpdate(Tensor param, Tensor grad, Tensor anchor, Tensor buf, double lr, double momentum,
                                  double weightDecay, double proximal) {
        CudaTensor p = t(param);
        CudaTensor g = t(grad);
        CudaTensor b = t(buf);
        CudaTensor a = anchor == null ? p : t(anchor);
        if (anchor == null && proximal != 0) {
            throw new IllegalArgumentException("proximalSgdUpdate: proximal " + proximal + " needs an anchor");
        }
        sameType(p, g, b, a);
        Shapes.requireSameShape(p, g, "proximalSgdUpdate");
        Shapes.requireSameShape(p, b, "proximalSgdUpdate");
        run1("proximal_sgd_update", p, p.size(), new Args().ptr(p).ptr(g).ptr(a).ptr(b).d(lr).d(momentum)
                .d(weightDecay).d(proximal).i(p.size()));
    }

    @Override
    public void adamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, double lr, double beta1, double beta2,
                           double eps, long step) {
        CudaTensor p = t(param);
        CudaTensor[] all = {p, t(grad), t(m), t(v)};
        sameType(all);
        double c1 = 1 - Math.pow(beta1, step);
        double c2 = 1 - Math.pow(beta2, step);
        run1("adam_update", p, p.size(), new Args().ptr(p).ptr(all[1]).ptr(all[2]).ptr(all[3]).d(lr).d(beta1)
                .d(beta2).d(eps).d(c1).d(c2).i(p.size()));
    }

    @Override
    public double[] yamAdamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, Tensor s, Tensor h, double beta,
                                  double eps) {
        CudaTensor p = t(param);
        CudaTensor ch = t(h);
        CudaTensor[] all = {p, t(grad), t(m), t(v), t(s), ch};
        sameType(all);
        double oldL1 = reduce(2, ch, null);
        run1("yam_adam_update", p, p.size(), new Args().ptr(p).ptr(all[1]).ptr(all[2]).ptr(all[3]).ptr(all[4])
                .ptr(ch).d(beta).d(eps).i(p.size()));
        return new double[] {oldL1, reduce(2, ch, null)};
    }

    @Override
    public void salpLeaderMove(Tensor food, Tensor salp, long seed, double c1, double lb, double ub) {
        Shapes.requireSameShape(food, salp, "salpLeaderMove");
        CudaTensor f = t(food);
        CudaTensor x = t(salp);
        sameType(f, x);
        run1("salp_leader_move", f, f.size(), new Args().ptr(f).ptr(x).l(seed).d(c1).d(lb).d(ub).i(f.size()));
    }

    // ---- recurrent cells ------------------------------------------------------------------------------

    @Override
    public void copyChannels(Tensor src, int srcFirst, Tensor dst, int dstFirst, int count) {
        channels(src, srcFirst, dst, dstFirst, count, false);
    }

    @Override
    public void addChannels(Tensor src, int srcFirst, Tensor dst, int dstFirst, int count) {
        channels(src, srcFirst, dst, dstFirst, count, true);
    }

    private void channels(Tensor src, int srcFirst, Tensor dst, int dstFirst, int count, boolean add) {
        CudaTensor s = t(src);
        CudaTensor d = t(dst);
        sameType(s, d);
        int n = s.dim(0);
        int sc = s.dim(1);
        int dc = d.dim(1);
        int per = s.size() / Math.max(1, n * sc);
        if (d.dim(0) != n || d.size() != n * dc * per || srcFirst < 0 || dstFirst < 0 || count < 0
                || srcFirst + count > sc || dstFirst + count > dc) {
            throw new IllegalArgumentException("copyChannels: cannot copy channels [" + srcFirst + ", "
                    + (srcFirst + count) + ") of " + s.describe() + " to [" + dstFirst + ", " + (dstFirst + count)
                    + ") of " + d.describe());
        }
        int total = n * count * per;
        run1("copy_channels", s, total, new Args().ptr(s).i(srcFirst).i(sc).ptr(d).i(dstFirst).i(dc).i(count).i(per)
                .i(total).i(add ? 1 : 0));
    }

    @Override
    public void flipConvWeights(Tensor w, Tensor out) {
        CudaTensor cw = t(w);
        CudaTensor co = t(out);
        sameType(cw, co);
        int o = cw.dim(0);
        int c = cw.dim(1);
        int kh = cw.dim(2);
        int kw = cw.dim(3);
        if (!Arrays.equals(co.shape(), new int[] {c, o, kh, kw})) {
            throw new IllegalArgumentException("flipConvWeights: " + cw.describe() + " flips into [" + c + ", " + o
                    + ", " + kh + ", " + kw + "], got " + co.describe());
        }
        run1("flip_conv_weights", cw, cw.size(), new Args().ptr(cw).ptr(co).i(o).i(c).i(kh).i(kw).i(cw.size()));
    }

    /** Checks an LSTM step's shapes; returns {N, C, S}. */
    private static int[] lstmShapes(String op, CudaTensor fourGate, CudaTensor cell, CudaTensor peephole,
                                    CudaTensor... cells) {
        int n = cell.dim(0);
        int ch = cell.rank() >= 2 ? cell.dim(1) : 0;
        boolean ok = cell.rank() >= 2 && peephole.rank() == 2 && peephole.dim(0) == 3 && peephole.dim(1) == ch
                && fourGate.dim(0) == n && fourGate.rank() >= 2 && fourGate.dim(1) == 4 * ch
                && fourGate.size() == 4 * cell.size();
        for (CudaTensor t : cells) {
            ok &= t.size() == cell.size() || t.size() == fourGate.size();
        }
        if (!ok) {
            throw new IllegalArgumentException(op + ": needs gates [N, 4C, ...], cell tensors [N, C, ...] and "
                    + "peepholes [3, C] of one precision; got " + fourGate.describe() + ", " + cell.describe() + ", "
                    + peephole.describe());
        }
        return new int[] {n, ch, ch == 0 || n == 0 ? 0 : cell.size() / (n * ch)};
    }

    @Override
    public void lstmGatesForward(Tensor z, Tensor cPrev, Tensor peephole, Tensor gates, Tensor c, Tensor tanhC,
                                 Tensor h) {
        CudaTensor cz = t(z);
        CudaTensor cp = t(cPrev);
        CudaTensor pp = t(peephole);
        CudaTensor cg = t(gates);
        CudaTensor cc = t(c);
        CudaTensor ct = t(tanhC);
        CudaTensor chh = t(h);
        sameType(cz, cp, pp, cg, cc, ct, chh);
        int[] s = lstmShapes("lstmGatesForward", cz, cp, pp, cg, cc, ct, chh);
        run1("lstm_gates_forward", cz, cp.size(), new Args().ptr(cz).ptr(cp).ptr(pp).ptr(cg).ptr(cc).ptr(ct).ptr(chh)
                .i(s[0]).i(s[1]).i(s[2]));
    }

    @Override
    public void lstmGatesBackward(Tensor gates, Tensor cPrev, Tensor c, Tensor tanhC, Tensor peephole, Tensor dh,
                                  Tensor dc, Tensor dz, Tensor dcPrev, Tensor dPeephole) {
        CudaTensor cg = t(gates);
        CudaTensor cp = t(cPrev);
        CudaTensor cc = t(c);
        CudaTensor ct = t(tanhC);
        CudaTensor pp = t(peephole);
        CudaTensor cdh = t(dh);
        CudaTensor cdc = t(dc);
        CudaTensor cdz = t(dz);
        CudaTensor cdcp = t(dcPrev);
        CudaTensor cdp = t(dPeephole);
        sameType(cg, cp, cc, ct, pp, cdh, cdc, cdz, cdcp, cdp);
        int[] s = lstmShapes("lstmGatesBackward", cg, cp, pp, cc, ct, cdh, cdc, cdz, cdcp);
        Shapes.requireSameShape(pp, cdp, "lstmGatesBackward");
        int cells = cp.size();
        if (cells == 0) {
            return;
        }
        rt.locked(() -> {
            CudaTensor terms = scratch.get("terms", cp.dtype(), 3 * cells);
            launch(kernel("lstm_gates_backward", cg), grid(cells), 1, new Args().ptr(cg).ptr(cp).ptr(cc).ptr(ct)
                    .ptr(pp).ptr(cdh).ptr(cdc).ptr(cdz).ptr(cdcp).ptr(terms).i(s[0]).i(s[1]).i(s[2]));
            launch(kernel("lstm_peephole_gradient", cg), 3 * s[1], 1, new Args().ptr(terms).ptr(cdp).i(s[0]).i(s[1])
                    .i(s[2]));
        });
    }

    @Override
    public void close() {
        rt.locked(scratch::clear);
    }

    // ---- helpers --------------------------------------------------------------------------------------

    /** Bytes this process holds on the device (live tensors and pooled blocks). */
    public long deviceBytesHeld() {
        return rt.pool().heldBytes();
    }

    private static CudaTensor t(Tensor t) {
        if (t instanceof CudaTensor c) {
            return c;
        }
        throw new IllegalArgumentException("tensor " + t.describe() + " is not a CUDA tensor");
    }

    private static void sameType(CudaTensor... ts) {
        for (CudaTensor t : ts) {
            if (t.dtype() != ts[0].dtype()) {
                StringBuilder b = new StringBuilder();
                for (CudaTensor u : ts) {
                    b.append(b.length() == 0 ? "" : ", ").append(u.describe());
                }
                throw new IllegalArgumentException("the CUDA backend needs one precision per call, got " + b);
            }
        }
    }

    private static String suffix(DType dt) {
        return dt == DType.FLOAT32 ? "_f32" : "_f64";
    }

    private static String kernel(String name, CudaTensor like) {
        return name + suffix(like.dtype());
    }

    private static int spatial(CudaTensor t) {
        int nc = t.dim(0) * (t.rank() > 1 ? t.dim(1) : 1);
        return nc == 0 ? 0 : t.size() / nc;
    }

    private static int grid(long n) {
        return (int) Math.max(1, Math.min((n + TPB - 1) / TPB, 65535L * 16));
    }

    private static void checkLength(int size, int length) {
        if (size != length) {
            throw new IllegalArgumentException("host array of " + length + " elements for a tensor of " + size);
        }
    }

    /** One kernel over {@code n} items (nothing when n = 0), under the lock. */
    private void run1(String name, CudaTensor like, int n, Args args) {
        if (n == 0) {
            return;
        }
        rt.locked(() -> launch(kernel(name, like), grid(n), 1, args));
    }

    private void launch(String name, int gridX, int gridY, Args args) {
        rt.launch(name, gridX, gridY, TPB, args);
    }

    /** Kernel arguments in order: device pointers, ints, longs and doubles, each behind its own host pointer. */
    static final class Args {
        private final List<Pointer> list = new ArrayList<>();
        private final StringBuilder types = new StringBuilder();

        Args ptr(CudaTensor t) {
            return ptr(t.ptr());
        }

        Args ptr(CUdeviceptr p) {
            list.add(Pointer.to(p));
            types.append('8');
            return this;
        }

        Args i(int v) {
            list.add(Pointer.to(new int[] {v}));
            types.append('4');
            return this;
        }

        Args l(long v) {
            list.add(Pointer.to(new long[] {v}));
            types.append('8');
            return this;
        }

        Args d(double v) {
            list.add(Pointer.to(new double[] {v}));
            types.append('d');
            return this;
        }

        List<Pointer> list() {
            return list;
        }

        /** One letter per argument, as {@link KernelSignatures}. */
        String types() {
            return types.toString();
        }
    }
}
