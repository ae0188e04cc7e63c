package dev.tandem.learning.io;

import dev.tandem.learning.nn.LayerSpec;
import dev.tandem.learning.nn.Param;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.optim.OptimizerState;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;

import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The compact, versioned binary model format. Layout (big-endian, {@link DataOutput} conventions):
 * <pre>
 * magic "TNDMODEL" · int version (1 or 2)
 * UTF dtype · int rank · int[rank] input shape · long seed
 * int layers · per layer: UTF tag · the spec's fields
 * int params · per param: tensor     int buffers · per buffer: tensor
 * boolean optimizer present · [UTF name · long step · int n · n×(UTF, double) · int slots · per slot: UTF, int k, k×tensor]
 * version 2 only: int properties · per property: UTF key · UTF value
 * tensor = int rank · int[rank] shape · raw little-endian values of the model dtype
 * </pre>
 * Unknown versions and mismatched shapes fail with a message; nothing is read into a half-built model. A ConvLSTM
 * forecaster is a model with one layer of tag "convlstm" (its spec: int layers · layers×(int hidden, int kernel) ·
 * int horizon · int output channels), so its files are version 1 too and every older file still loads.
 *
 * <p>Version 2 adds <b>properties</b>: what a model needs beside its weights to mean the same thing elsewhere, e.g. the
 * units of a rainfall model's output ({@code rainfall.rain-scale-mm}, written by {@code tandem export-model}). A file
 * without properties is written as version 1, byte for byte as before (so the state records that embed a model and
 * the gearbox files do not change); version 1 files read with no properties.
 */
public final class ModelCodec {
    /** The newest version this build writes (when there are properties) and reads. */
    public static final int VERSION = 2;
    /** The version of a file without properties (and of every file before version 2). */
    public static final int VERSION_WITHOUT_PROPERTIES = 1;
    private static final byte[] MAGIC = "TNDMODEL".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private ModelCodec() {
    }

    /** A model with, optionally, the state of the optimizer training it, and its properties (none for version 1). */
    public record Saved(Sequential model, OptimizerState optimizerState, Map<String, String> properties) {
        public Saved {
            properties = Map.copyOf(properties);
        }

        public Saved(Sequential model, OptimizerState optimizerState) {
            this(model, optimizerState, Map.of());
        }
    }

    /** A model file without properties (version 1). */
    public static void write(OutputStream out, Sequential model, OptimizerState state) throws IOException {
        write(out, model, state, Map.of());
    }

    /** A model file; with properties it is version 2 (keys in sorted order, so equal content gives equal bytes). */
    public static void write(OutputStream out, Sequential model, OptimizerState state, Map<String, String> properties)
            throws IOException {
        DataOutputStream d = new DataOutputStream(new java.io.BufferedOutputStream(out, 1 << 16));
        d.write(MAGIC);
        d.writeInt(properties.isEmpty() ? VERSION_WITHOUT_PROPERTIES : VERSION);
        d.writeUTF(model.dtype().name());
        writeShape(d, model.inputShape());
        d.writeLong(model.seed());
        d.writeInt(model.specs().size());
        for (LayerSpec spec : model.specs()) {
            d.writeUTF(spec.tag());
            spec.write(d);
        }
        d.writeInt(model.params().size());
        for (Param p : model.params()) {
            writeTensor(d, p.value());
        }
        d.writeInt(model.buffers().size());
        for (Tensor b : model.buffers()) {
            writeTensor(d, b);
        }
        d.writeBoolean(state != null);
        if (state != null) {
            d.writeUTF(state.optimizer());
            d.writeLong(state.step());
            d.writeInt(state.scalars().size());
            for (var e : state.scalars().entrySet()) {
                d.writeUTF(e.getKey());
                d.writeDouble(e.getValue());
            }
            d.writeInt(state.slots().size());
            for (var e : state.slots().entrySet()) {
                d.writeUTF(e.getKey());
                d.writeInt(e.getValue().size());
                for (Tensor t : e.getValue()) {
                    writeTensor(d, t);
                }
            }
        }
        if (!properties.isEmpty()) {
            Map<String, String> sorted = new TreeMap<>(properties);
            d.writeInt(sorted.size());
            for (Map.Entry<String, String> e : sorted.entrySet()) {
                d.writeUTF(e.getKey());
                d.writeUTF(e.getValue());
            }
        }
        d.flush();
    }

    public static Saved read(InputStream in, Backend backend) throws IOException {
        DataInputStream d = new DataInputStream(new java.io.BufferedInputStream(in, 1 << 16));
        byte[] magic = new byte[MAGIC.length];
        d.readFully(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new IOException("not a Tandem model file (bad magic)");
        }
        int version = d.readInt();
        if (version != VERSION_WITHOUT_PROPERTIES && version != VERSION) {
            throw new IOException("unsupported model format version " + version + "; this build reads "
                    + VERSION_WITHOUT_PROPERTIES + " and " + VERSION);
        }
        DType dtype = DType.valueOf(d.readUTF());
        int[] inputShape = readShape(d);
        long seed = d.readLong();
        int layerCount = d.readInt();
        List<LayerSpec> specs = new ArrayList<>(layerCount);
        for (int i = 0; i < layerCount; i++) {
            specs.add(LayerSpec.read(d));
        }
        Sequential model = new Sequential(backend, dtype, inputShape, specs, seed);
        readInto(d, backend, dtype, model.params().stream().map(Param::value).toList(), "parameter");
        readInto(d, backend, dtype, model.buffers(), "buffer");
        OptimizerState state = null;
        if (d.readBoolean()) {
            state = new OptimizerState(d.readUTF());
            state.setStep(d.readLong());
            int scalars = d.readInt();
            for (int i = 0; i < scalars; i++) {
                state.scalars().put(d.readUTF(), d.readDouble());
            }
            int slots = d.readInt();
            for (int i = 0; i < slots; i++) {
                String name = d.readUTF();
                int k = d.readInt();
                List<Tensor> ts = new ArrayList<>(k);
                for (int j = 0; j < k; j++) {
                    ts.add(readTensor(d, backend, dtype));
                }
                state.slots().put(name, ts);
            }
        }
        Map<String, String> properties = new TreeMap<>();
        if (version >= 2) {
            int n = d.readInt();
            if (n < 0 || n > 1024) {
                throw new IOException("corrupt property count " + n);
            }
            for (int i = 0; i < n; i++) {
                properties.put(d.readUTF(), d.readUTF());
            }
        }
        return new Saved(model, state, properties);
    }

    private static void readInto(DataInputStream d, Backend backend, DType dtype, List<Tensor> targets, String what)
            throws IOException {
        int n = d.readInt();
        if (n != targets.size()) {
            throw new IOException("model file has " + n + " " + what + " tensors, the architecture needs " + targets.size());
        }
        for (int i = 0; i < n; i++) {
            Tensor t = readTensor(d, backend, dtype);
            if (!Arrays.equals(t.shape(), targets.get(i).shape())) {
                throw new IOException(what + " " + i + ": stored shape " + Arrays.toString(t.shape())
                        + " differs from the architecture's " + Arrays.toString(targets.get(i).shape()));
            }
            backend.copy(t, targets.get(i));
        }
    }

    public static void writeTensor(DataOutput d, Tensor t) throws IOException {
        writeShape(d, t.shape());
        int n = t.size();
        ByteBuffer bb = ByteBuffer.allocate(n * t.dtype().bytes()).order(ByteOrder.LITTLE_ENDIAN);
        if (t.dtype() == DType.FLOAT32) {
            bb.asFloatBuffer().put(t.toFloatArray());
        } else {
            bb.asDoubleBuffer().put(t.toDoubleArray());
        }
        d.write(bb.array());
    }

    public static Tensor readTensor(DataInput d, Backend backend, DType dtype) throws IOException {
        int[] shape = readShape(d);
        int n = dev.tandem.learning.tensor.Shapes.size(shape);
        byte[] raw = new byte[n * dtype.bytes()];
        d.readFully(raw);
        ByteBuffer bb = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        if (dtype == DType.FLOAT32) {
            float[] v = new float[n];
            bb.asFloatBuffer().get(v);
            return backend.fromHost(v, shape);
        }
        double[] v = new double[n];
        bb.asDoubleBuffer().get(v);
        return backend.fromHost(v, shape);
    }

    private static void writeShape(DataOutput d, int[] shape) throws IOException {
        d.writeInt(shape.length);
        for (int s : shape) {
            d.writeInt(s);
        }
    }

    private static int[] readShape(DataInput d) throws IOException {
        int rank = d.readInt();
        if (rank < 0 || rank > 8) {
            throw new IOException("corrupt tensor rank " + rank);
        }
        int[] shape = new int[rank];
        for (int i = 0; i < rank; i++) {
            shape[i] = d.readInt();
            if (shape[i] < 0) {
                throw new IOException("corrupt tensor dimension " + shape[i]);
            }
        }
        return shape;
    }
}
