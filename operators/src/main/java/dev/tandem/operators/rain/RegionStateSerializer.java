package dev.tandem.operators.rain;

import dev.tandem.learning.io.ModelCodec;
import dev.tandem.learning.optim.FaultCounter;
import dev.tandem.models.rain.AdaptiveDefaults;
import dev.tandem.models.rain.ConvLstmRainForecaster;
import dev.tandem.models.rain.ExpertCombination;
import dev.tandem.models.rain.Frame;
import dev.tandem.models.rain.Grid;
import dev.tandem.models.rain.RegionState;
import dev.tandem.operators.common.ModelStateSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The versioned binary serializer of {@link RegionState} keyed state (no Kryo). One record (big-endian
 * {@code DataOutput} conventions):
 * <pre>
 * int   record format (6; formats 1 to 5 are still read)
 * grid: int rows · int cols · double lat0 · lon0 · dlat · dlon
 * int F · F × UTF feature · int window · int horizon · long seed
 * long frames seen · long scored stations · double squared error · long learned · long skipped · double last loss · climatology (int n, n floats)
 * int N · N frames: long step · 5 float arrays (values, masks, coverage, rain, rain mask)
 *       (formats 1–2 also held UTF region · long start · long end · int readings before the arrays and the step's
 *       stations after them, which are read and dropped)
 * int P · P pending forecasts: long valid step · float array (combined rain)
 *       (format 4+: then int lead · float arrays probability, climate, calibrated · int K · K float arrays
 *       (components) · K doubles (weights); before, a pending forecast is lead H without components)
 * replay (format 2+): long stored · int R · R × (3 float arrays: input, target, mask)
 * int M · M bytes: the ConvLSTM and its optimizer state in {@link ModelCodec} format (its own version inside)
 * combination (format 4+): {@link ExpertCombination#write} (the online baselines, their weights, the calibration);
 *       state of an older format restores with a fresh combination of the configured step and threshold
 * long  consecutive skipped updates (format 5+; older state restores with 0: the run of faults starts over)
 * rain scale (format 6+): double mm per model unit (NaN: not yet chosen) · byte 1 when the sample of the first
 *       frames' rain follows (rainfall.rain-scale=auto, not yet frozen): long dry readings · long frames · float
 *       array (wet amounts); older state restores in the configured units, or the old default 10 mm when auto
 * float array = int n · n × float
 * </pre>
 * Everything the forecaster learns from is written — weights, optimizer state, the counters that key its random
 * draws, the climatology and the replay of recent examples — so a restored region learns exactly as an uninterrupted
 * one. The replay is most of the record: {@code rainfall.replay} × (window × channels + 2 × horizon) × cells × 4 bytes
 * (e.g. 256 × (4 × 27 + 2) × 432 × 4 B = 49 MB); a smaller {@code rainfall.replay} makes checkpoints smaller. State of
 * format 1 restores with an empty replay. The snapshot ({@link Snapshot}, version 1) records the backend name; a
 * restore where that backend is missing falls back to {@code auto}.
 */
public final class RegionStateSerializer extends ModelStateSerializer<RegionState> {
    public static final int RECORD_FORMAT = 6;
    private static final long serialVersionUID = 1L;
    private static final int FLOAT_BLOCK = 1 << 14;

    public RegionStateSerializer(String backendName) {
        super(backendName);
    }

    @Override
    protected String what() {
        return "rain model";
    }

    @Override
    public TypeSerializer<RegionState> duplicate() {
        return new RegionStateSerializer(backendName());
    }

    @Override
    public void serialize(RegionState m, DataOutputView out) throws IOException {
        ConvLstmRainForecaster.State f = m.convLstmState();
        out.writeInt(RECORD_FORMAT);
        writeGrid(out, m.grid);
        out.writeInt(m.features.size());
        for (String name : m.features) {
            out.writeUTF(name);
        }
        out.writeInt(m.window);
        out.writeInt(m.horizon);
        out.writeLong(m.seed);
        out.writeLong(m.framesSeen);
        out.writeLong(m.scoredStations);
        out.writeDouble(m.squaredError);
        out.writeLong(f.learned());
        out.writeLong(f.skipped());
        out.writeDouble(f.lastLoss());
        writeFloats(out, f.climate());
        out.writeInt(m.frames.size());
        for (Frame fr : m.frames) {
            out.writeLong(fr.step());
            writeFloats(out, fr.values());
            writeFloats(out, fr.masks());
            writeFloats(out, fr.coverage());
            writeFloats(out, fr.rainMm());
            writeFloats(out, fr.rainMask());
        }
        out.writeInt(m.pending.size());
        for (RegionState.Pending p : m.pending) {
            out.writeLong(p.validStep());
            writeFloats(out, p.rainMm());
            out.writeInt(p.lead());
            boolean full = p.components() != null;
            writeFloats(out, full ? p.probability() : new float[0]);
            writeFloats(out, full ? p.climate() : new float[0]);
            writeFloats(out, full ? p.calibrated() : new float[0]);
            out.writeInt(full ? p.components().length : 0);
            if (full) {
                for (float[] c : p.components()) {
                    writeFloats(out, c);
                }
                for (double w : p.weights()) {
                    out.writeDouble(w);
                }
            }
        }
        ConvLstmRainForecaster.Replay replay = f.replay();
        out.writeLong(replay.stored());
        out.writeInt(replay.slots().size());
        for (ConvLstmRainForecaster.Example e : replay.slots()) {
            writeFloats(out, e.input());
            writeFloats(out, e.target());
            writeFloats(out, e.mask());
        }
        ByteArrayOutputStream model = new ByteArrayOutputStream(1 << 16);
        ModelCodec.write(model, f.model, f.optimizer);
        out.writeInt(model.size());
        out.write(model.toByteArray());
        m.experts.write(out);
        out.writeLong(f.faults().consecutive());
        out.writeDouble(f.rainScale());
        out.writeBoolean(m.rainSample != null);
        if (m.rainSample != null) {
            out.writeLong(m.rainSample.dry());
            out.writeLong(m.rainSample.frames());
            writeFloats(out, m.rainSample.wetAmounts());
        }
    }

    @Override
    public RegionState deserialize(DataInputView in) throws IOException {
        int format = in.readInt();
        if (format < 1 || format > RECORD_FORMAT) {
            throw new IOException("rain model state format " + format + " unsupported; this build reads 1.."
                    + RECORD_FORMAT);
        }
        Grid grid = readGrid(in);
        int nf = count(in, 1 << 12, "feature");
        List<String> features = new ArrayList<>(nf);
        for (int i = 0; i < nf; i++) {
            features.add(in.readUTF());
        }
        int window = in.readInt();
        int horizon = in.readInt();
        long seed = in.readLong();
        long framesSeen = in.readLong();
        long scoredStations = in.readLong();
        double squaredError = in.readDouble();
        long learned = in.readLong();
        long skipped = in.readLong();
        double lastLoss = in.readDouble();
        float[] climate = readFloats(in);
        int frames = count(in, 1 << 16, "frame");
        List<Frame> kept = new ArrayList<>(frames);
        for (int k = 0; k < frames; k++) {
            long step;
            if (format >= 3) {
                step = in.readLong();
            } else {
                in.readUTF(); // region
                step = in.readLong();
                in.readLong(); // start
                in.readLong(); // end
                in.readInt(); // readings
            }
            kept.add(new Frame(grid, step, features, readFloats(in), readFloats(in), readFloats(in), readFloats(in),
                    readFloats(in)));
            if (format < 3) {
                int s = count(in, 1 << 24, "station");
                for (int i = 0; i < s; i++) {
                    in.readUTF();
                    in.readDouble();
                    in.readDouble();
                    in.readFloat();
                }
            }
        }
        int pendingCount = count(in, 1 << 16, "pending forecast");
        List<RegionState.Pending> pending = new ArrayList<>(pendingCount);
        for (int i = 0; i < pendingCount; i++) {
            long valid = in.readLong();
            float[] rain = readFloats(in);
            if (format < 4) {
                pending.add(new RegionState.Pending(valid, rain, horizon));
                continue;
            }
            int lead = in.readInt();
            float[] probability = readFloats(in);
            float[] wetClimate = readFloats(in);
            float[] calibrated = readFloats(in);
            int k = count(in, 64, "forecast component");
            if (k == 0) {
                pending.add(new RegionState.Pending(valid, rain, lead));
                continue;
            }
            float[][] components = new float[k][];
            for (int c = 0; c < k; c++) {
                components[c] = readFloats(in);
            }
            double[] weights = new double[k];
            for (int c = 0; c < k; c++) {
                weights[c] = in.readDouble();
            }
            pending.add(new RegionState.Pending(valid, rain, lead, probability, wetClimate, calibrated, components,
                    weights));
        }
        ConvLstmRainForecaster.Replay replay = ConvLstmRainForecaster.Replay.EMPTY;
        if (format >= 2) {
            long stored = in.readLong();
            int r = count(in, 1 << 24, "replay example");
            if (stored < r) {
                throw new IOException("corrupt replay: " + r + " examples of " + stored + " stored");
            }
            List<ConvLstmRainForecaster.Example> slots = new ArrayList<>(r);
            for (int i = 0; i < r; i++) {
                slots.add(new ConvLstmRainForecaster.Example(readFloats(in), readFloats(in), readFloats(in)));
            }
            replay = new ConvLstmRainForecaster.Replay(stored, List.copyOf(slots));
        }
        int modelBytes = count(in, Integer.MAX_VALUE, "model byte");
        byte[] model = new byte[modelBytes];
        in.readFully(model);
        ModelCodec.Saved saved = ModelCodec.read(new ByteArrayInputStream(model), backend());
        if (saved.optimizerState() == null) {
            throw new IOException("rain model state lacks its optimizer state");
        }
        ExpertCombination experts = null; // before format 4: the learner starts a fresh one on the next frame
        if (format >= 4) {
            experts = ExpertCombination.read(in);
        }
        long consecutive = format >= 5 ? in.readLong() : 0;
        double rainScale = Double.NaN;
        AdaptiveDefaults.RainSample sample = null;
        if (format >= 6) {
            rainScale = in.readDouble();
            if (!Double.isNaN(rainScale) && !(rainScale > 0 && Double.isFinite(rainScale))) {
                throw new IOException("corrupt rain scale " + rainScale);
            }
            if (in.readBoolean()) {
                long dry = in.readLong();
                long sampleFrames = in.readLong();
                float[] wet = readFloats(in);
                if (dry < 0 || sampleFrames < 0) {
                    throw new IOException("corrupt rain sample: " + dry + " dry readings, " + sampleFrames + " frames");
                }
                sample = new AdaptiveDefaults.RainSample(dry, wet, sampleFrames);
            }
        }
        ConvLstmRainForecaster.State f;
        try {
            f = ConvLstmRainForecaster.State.restored(saved.model(), saved.optimizerState(), learned,
                    new FaultCounter(skipped, consecutive), lastLoss, climate, replay);
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt rain model state: " + e.getMessage(), e);
        }
        if (!Double.isNaN(rainScale)) {
            f.setRainScale(rainScale);
        }
        RegionState m = RegionState.restored(grid, features, window, horizon, seed, f);
        m.rainSample = sample;
        m.framesSeen = framesSeen;
        m.scoredStations = scoredStations;
        m.squaredError = squaredError;
        m.frames.addAll(kept);
        m.pending.addAll(pending);
        m.experts = experts;
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

    /** Big-endian floats written in blocks (the replay holds millions of them; one call per float is slow). */
    private static void writeFloats(DataOutputView out, float[] a) throws IOException {
        out.writeInt(a.length);
        ByteBuffer block = ByteBuffer.allocate(4 * Math.min(a.length, FLOAT_BLOCK));
        for (int from = 0; from < a.length; from += FLOAT_BLOCK) {
            int n = Math.min(FLOAT_BLOCK, a.length - from);
            block.clear();
            block.asFloatBuffer().put(a, from, n);
            out.write(block.array(), 0, 4 * n);
        }
    }

    private static float[] readFloats(DataInputView in) throws IOException {
        float[] a = new float[count(in, 1 << 28, "float")];
        byte[] block = new byte[4 * Math.min(a.length, FLOAT_BLOCK)];
        for (int from = 0; from < a.length; from += FLOAT_BLOCK) {
            int n = Math.min(FLOAT_BLOCK, a.length - from);
            in.readFully(block, 0, 4 * n);
            ByteBuffer.wrap(block, 0, 4 * n).asFloatBuffer().get(a, from, n);
        }
        return a;
    }

    @Override
    public TypeSerializerSnapshot<RegionState> snapshotConfiguration() {
        return new Snapshot(backendName());
    }

    /** Snapshot of the serializer's configuration: version 1 holds the backend name. */
    public static final class Snapshot extends BackendSnapshot<RegionState> {
        public Snapshot() {
        }

        Snapshot(String backendName) {
            super(backendName);
        }

        @Override
        public TypeSerializer<RegionState> restoreSerializer() {
            return new RegionStateSerializer(backendName());
        }
    }
}
