package dev.tandem.operators.rain;

import dev.tandem.learning.io.ModelCodec;
import dev.tandem.learning.rain.Grid;
import dev.tandem.operators.state.ModelStateSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The versioned binary serializer of {@link RainModel} keyed state (no Kryo). One record (big-endian
 * {@code DataOutput} conventions):
 * <pre>
 * int   record format (1)
 * grid: int rows · int cols · double lat0 · lon0 · dlat · dlon
 * int F · F × UTF feature · int window · int horizon · long seed
 * long frames seen · long scored stations · double squared error · long learned · long skipped · double last loss · climatology (int n, n floats)
 * int N · N frames: UTF region · long step · long start · long end · int readings · 5 float arrays (values, masks,
 *       coverage, rain, rain mask) · int S · S × (UTF station · double lat · double lon · float rain)
 * int P · P pending forecasts: long valid step · float array
 * int M · M bytes: the ConvLSTM and its optimizer state in {@link ModelCodec} format (its own version inside)
 * float array = int n · n × float
 * </pre>
 * The replay of recent examples inside the forecaster is not written (it restarts empty after a restore); weights,
 * optimizer state and the counters that key its random draws are exact. The snapshot ({@link Snapshot}, version 1)
 * records the backend name; a restore where that backend is missing falls back to {@code auto}.
 */
public final class RainModelSerializer extends ModelStateSerializer<RainModel> {
    public static final int RECORD_FORMAT = 1;
    private static final long serialVersionUID = 1L;

    public RainModelSerializer(String backendName) {
        super(backendName);
    }

    @Override
    protected String what() {
        return "rain model";
    }

    @Override
    public TypeSerializer<RainModel> duplicate() {
        return new RainModelSerializer(backendName());
    }

    @Override
    public void serialize(RainModel m, DataOutputView out) throws IOException {
        if (m.forecaster != null) {
            m.sync();
        }
        out.writeInt(RECORD_FORMAT);
        writeGrid(out, m.grid);
        out.writeInt(m.features.size());
        for (String f : m.features) {
            out.writeUTF(f);
        }
        out.writeInt(m.window);
        out.writeInt(m.horizon);
        out.writeLong(m.seed);
        out.writeLong(m.framesSeen);
        out.writeLong(m.scoredStations);
        out.writeDouble(m.squaredError);
        out.writeLong(m.learned);
        out.writeLong(m.skipped);
        out.writeDouble(m.lastLoss);
        writeFloats(out, m.climate);
        out.writeInt(m.frames.size());
        for (RainFrame f : m.frames) {
            out.writeUTF(f.region);
            out.writeLong(f.step);
            out.writeLong(f.start);
            out.writeLong(f.end);
            out.writeInt(f.readings);
            writeFloats(out, f.values);
            writeFloats(out, f.masks);
            writeFloats(out, f.coverage);
            writeFloats(out, f.rainMm);
            writeFloats(out, f.rainMask);
            out.writeInt(f.stations.length);
            for (int i = 0; i < f.stations.length; i++) {
                out.writeUTF(f.stations[i]);
                out.writeDouble(f.stationLat[i]);
                out.writeDouble(f.stationLon[i]);
                out.writeFloat(f.stationRain[i]);
            }
        }
        out.writeInt(m.pending.size());
        for (RainModel.Pending p : m.pending) {
            out.writeLong(p.validStep());
            writeFloats(out, p.rainMm());
        }
        ByteArrayOutputStream model = new ByteArrayOutputStream(1 << 16);
        ModelCodec.write(model, m.model, m.optimizerState);
        out.writeInt(model.size());
        out.write(model.toByteArray());
    }

    @Override
    public RainModel deserialize(DataInputView in) throws IOException {
        int format = in.readInt();
        if (format != RECORD_FORMAT) {
            throw new IOException("rain model state format " + format + " unsupported; this build reads " + RECORD_FORMAT);
        }
        Grid grid = readGrid(in);
        int nf = count(in, 1 << 12, "feature");
        List<String> features = new ArrayList<>(nf);
        for (int i = 0; i < nf; i++) {
            features.add(in.readUTF());
        }
        RainModel m = new RainModel(grid, features, in.readInt(), in.readInt(), in.readLong());
        m.framesSeen = in.readLong();
        m.scoredStations = in.readLong();
        m.squaredError = in.readDouble();
        m.learned = in.readLong();
        m.skipped = in.readLong();
        m.lastLoss = in.readDouble();
        m.climate = readFloats(in);
        int frames = count(in, 1 << 16, "frame");
        String[] featureArray = features.toArray(new String[0]);
        for (int k = 0; k < frames; k++) {
            RainFrame f = new RainFrame();
            f.region = in.readUTF();
            f.step = in.readLong();
            f.start = in.readLong();
            f.end = in.readLong();
            f.readings = in.readInt();
            f.setGrid(grid);
            f.features = featureArray.clone();
            f.values = readFloats(in);
            f.masks = readFloats(in);
            f.coverage = readFloats(in);
            f.rainMm = readFloats(in);
            f.rainMask = readFloats(in);
            int s = count(in, 1 << 24, "station");
            f.stations = new String[s];
            f.stationLat = new double[s];
            f.stationLon = new double[s];
            f.stationRain = new float[s];
            for (int i = 0; i < s; i++) {
                f.stations[i] = in.readUTF();
                f.stationLat[i] = in.readDouble();
                f.stationLon[i] = in.readDouble();
                f.stationRain[i] = in.readFloat();
            }
            m.frames.add(f);
        }
        int pending = count(in, 1 << 16, "pending forecast");
        for (int i = 0; i < pending; i++) {
            m.pending.add(new RainModel.Pending(in.readLong(), readFloats(in)));
        }
        int modelBytes = count(in, Integer.MAX_VALUE, "model byte");
        byte[] model = new byte[modelBytes];
        in.readFully(model);
        ModelCodec.Saved saved = ModelCodec.read(new ByteArrayInputStream(model), backend());
        if (saved.optimizerState() == null) {
            throw new IOException("rain model state lacks its optimizer state");
        }
        m.model = saved.model();
        m.optimizerState = saved.optimizerState();
        return m;
    }

    private static int count(DataInputView in, int max, String what) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > max) {
            throw new IOException("corrupt " + what + " count " + n);
        }
        return n;
    }

    private static void writeGrid(DataOutputView out, Grid g) throws IOException {
        out.writeInt(g.rows());
        out.writeInt(g.cols());
        out.writeDouble(g.lat0());
        out.writeDouble(g.lon0());
        out.writeDouble(g.dlat());
        out.writeDouble(g.dlon());
    }

    private static Grid readGrid(DataInputView in) throws IOException {
        try {
            return new Grid(in.readInt(), in.readInt(), in.readDouble(), in.readDouble(), in.readDouble(), in.readDouble());
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt grid: " + e.getMessage(), e);
        }
    }

    private static void writeFloats(DataOutputView out, float[] a) throws IOException {
        out.writeInt(a.length);
        for (float x : a) {
            out.writeFloat(x);
        }
    }

    private static float[] readFloats(DataInputView in) throws IOException {
        float[] a = new float[count(in, 1 << 28, "float")];
        for (int i = 0; i < a.length; i++) {
            a[i] = in.readFloat();
        }
        return a;
    }

    @Override
    public TypeSerializerSnapshot<RainModel> snapshotConfiguration() {
        return new Snapshot(backendName());
    }

    /** Snapshot of the serializer's configuration: version 1 holds the backend name. */
    public static final class Snapshot extends BackendSnapshot<RainModel> {
        public Snapshot() {
        }

        Snapshot(String backendName) {
            super(backendName);
        }

        @Override
        public TypeSerializer<RainModel> restoreSerializer() {
            return new RainModelSerializer(backendName());
        }
    }
}
