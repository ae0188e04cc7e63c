package dev.tandem.backend.nd4j;

import dev.tandem.learning.backend.Buf;
import dev.tandem.learning.backend.JavaTensor;
import dev.tandem.learning.tensor.ConvGeometry;
import dev.tandem.learning.tensor.Tensor;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The alternative that {@link Nd4jBackend} measured and rejected: libnd4j's own {@code conv2d}/{@code conv2d_bp}
 * ops on heap tensors, with the inputs copied into reused INDArrays and the results copied back. Kept for
 * {@link Nd4jBench} and checked for parity in {@link LibNd4jConvTest}, so the comparison can be repeated (e.g. on a
 * machine with many more cores, where libnd4j's OpenMP im2col might pay off).
 *
 * <p>libnd4j conv2d integer arguments: kH, kW, sH, sW, pH, pW, dH, dW, paddingMode (0 explicit symmetric pads,
 * 1 SAME), dataFormat (0 NCHW), weightsFormat (1 = [oC, iC, kH, kW], our layout).
 */
final class LibNd4jConv {
    private final Map<String, INDArray> arrays = new HashMap<>();

    /** conv2d arguments reproducing a geometry exactly, or null: the backend's own ({@link OneDnnConv#convArgs}). */
    static int[] convArgs(ConvGeometry g) {
        return OneDnnConv.convArgs(g);
    }

    void forward(Tensor x, Tensor w, Tensor bias, ConvGeometry g, Tensor y) {
        int[] args = require(g);
        INDArray xa = upload("x", x);
        INDArray wa = upload("w", w);
        INDArray ya = array("y", y);
        DynamicCustomOp.DynamicCustomOpsBuilder op = DynamicCustomOp.builder("conv2d");
        if (bias != null) {
            op.addInputs(xa, wa, upload("b", bias));
        } else {
            op.addInputs(xa, wa);
        }
        Nd4j.exec(op.addOutputs(ya).addIntegerArguments(args).build());
        download(ya, y);
    }

    void backward(Tensor x, Tensor w, Tensor dy, ConvGeometry g, Tensor dx, Tensor dw, Tensor dBias) {
        int[] args = require(g);
        INDArray xa = upload("x", x);
        INDArray wa = upload("w", w);
        INDArray dya = upload("dy", dy);
        INDArray dxa = array("dx", x); // libnd4j always computes dx
        INDArray dwa = array("dw", w);
        DynamicCustomOp.DynamicCustomOpsBuilder op = DynamicCustomOp.builder("conv2d_bp");
        INDArray dba = null;
        if (dBias != null) {
            dba = array("db", dBias);
            op.addInputs(xa, wa, array("b", dBias), dya).addOutputs(dxa, dwa, dba); // b: only its shape matters
        } else {
            op.addInputs(xa, wa, dya).addOutputs(dxa, dwa);
        }
        Nd4j.exec(op.addIntegerArguments(args).build());
        if (dx != null) {
            download(dxa, dx);
        }
        download(dwa, dw);
        if (dba != null) {
            download(dba, dBias);
        }
    }

    void close() {
        arrays.values().forEach(INDArray::close);
        arrays.clear();
    }

    private static int[] require(ConvGeometry g) {
        int[] args = convArgs(g);
        if (args == null) {
            throw new IllegalArgumentException("no libnd4j padding mode reproduces " + g);
        }
        return args;
    }

    private INDArray array(String role, Tensor like) {
        DataType dt = ((JavaTensor) like).buf() instanceof Buf.F32 ? DataType.FLOAT : DataType.DOUBLE;
        long[] shape = Arrays.stream(like.shape()).asLongStream().toArray();
        return arrays.computeIfAbsent(role + dt + Arrays.toString(shape), k -> Nd4j.create(dt, shape, 'c'));
    }

    private INDArray upload(String role, Tensor t) {
        INDArray a = array(role, t);
        Pointer p = a.data().addressPointer();
        Buf b = ((JavaTensor) t).buf();
        if (b instanceof Buf.F32 f) {
            new FloatPointer(p).put(f.a, 0, f.a.length);
        } else {
            double[] d = ((Buf.F64) b).a;
            new DoublePointer(p).put(d, 0, d.length);
        }
        return a;
    }

    private static void download(INDArray a, Tensor t) {
        Pointer p = a.data().addressPointer();
        Buf b = ((JavaTensor) t).buf();
        if (b instanceof Buf.F32 f) {
            new FloatPointer(p).get(f.a, 0, f.a.length);
        } else {
            double[] d = ((Buf.F64) b).a;
            new DoublePointer(p).get(d, 0, d.length);
        }
    }
}
