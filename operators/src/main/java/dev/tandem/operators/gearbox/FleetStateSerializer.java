package dev.tandem.operators.gearbox;

import dev.tandem.models.gearbox.FleetState;
import dev.tandem.models.gearbox.RecentAccuracy;

import dev.tandem.models.decision.DecisionStage;
import dev.tandem.learning.io.ModelCodec;
import dev.tandem.learning.optim.FaultCounter;
import dev.tandem.operators.common.ModelStateSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The versioned binary serializer of {@link FleetState} keyed state (no Kryo). One record (big-endian
 * {@code DataOutput} conventions unless said otherwise):
 * <pre>
 * int   record format (3)
 * long  model version · long windows · long labelled · long correct · double last loss
 * int   K · K × UTF class name
 * int   batch capacity B · int pending count P · int example size S · P·S float32 (little-endian) pending inputs · P × int labels
 * int   length M · M bytes: the model and its optimizer state in {@link ModelCodec} format (its own version inside)
 * boolean decision stage present · [boolean base frozen · long freezes · long unfreezes · the recent-accuracy ring
 *       ({@link RecentAccuracy#write}) · the decision stage ({@link DecisionStage#write}: its reservoir and its SVM or
 *       MLP model, its own format number inside)]                                                       (format ≥ 2)
 * double the order-tracking reference speed in rpm, NaN when none yet                                    (format ≥ 3)
 * long  skipped updates · long of them in a row (numerical faults)                                  (format ≥ 4)
 * </pre>
 * Format 1 records (before the decision stage) are read as fleets without one; format 1 and 2 records as fleets
 * without a reference speed (the next window with a speed sets it); formats 1 to 3 as fleets without skipped updates.
 * S is the example size of the model's input shape (checked against the model on reading). The serializer snapshot ({@link Snapshot}, version 1) records
 * the backend name; a restore on a machine where that backend is missing falls back to {@code auto}.
 */
public final class FleetStateSerializer extends ModelStateSerializer<FleetState> {
    public static final int RECORD_FORMAT = 4;
    private static final long serialVersionUID = 1L;

    public FleetStateSerializer(String backendName) {
        super(backendName);
    }

    @Override
    protected String what() {
        return "fleet model";
    }

    @Override
    public TypeSerializer<FleetState> duplicate() {
        return new FleetStateSerializer(backendName());
    }

    @Override
    public void serialize(FleetState m, DataOutputView out) throws IOException {
        out.writeInt(RECORD_FORMAT);
        out.writeLong(m.version);
        out.writeLong(m.windows);
        out.writeLong(m.labelled);
        out.writeLong(m.correct);
        out.writeDouble(m.lastLoss);
        out.writeInt(m.classes.length);
        for (String c : m.classes) {
            out.writeUTF(c);
        }
        int s = m.exampleSize();
        out.writeInt(m.pendingLabels.length);
        out.writeInt(m.pendingCount);
        out.writeInt(s);
        ByteBuffer bb = ByteBuffer.allocate(4 * m.pendingCount * s).order(ByteOrder.LITTLE_ENDIAN);
        bb.asFloatBuffer().put(m.pendingInputs, 0, m.pendingCount * s);
        out.write(bb.array());
        for (int i = 0; i < m.pendingCount; i++) {
            out.writeInt(m.pendingLabels[i]);
        }
        ByteArrayOutputStream model = new ByteArrayOutputStream(1 << 16);
        ModelCodec.write(model, m.model, m.optimizerState);
        out.writeInt(model.size());
        out.write(model.toByteArray());
        out.writeBoolean(m.decision != null);
        if (m.decision != null) {
            out.writeBoolean(m.frozen);
            out.writeLong(m.freezes);
            out.writeLong(m.unfreezes);
            m.recent.write(out);
            m.decision.write(out);
        }
        out.writeDouble(m.referenceRpm);
        out.writeLong(m.faults.skipped());
        out.writeLong(m.faults.consecutive());
    }

    @Override
    public FleetState deserialize(DataInputView in) throws IOException {
        int format = in.readInt();
        if (format < 1 || format > RECORD_FORMAT) {
            throw new IOException("fleet model state format " + format + " unsupported; this build reads 1.."
                    + RECORD_FORMAT);
        }
        long version = in.readLong();
        long windows = in.readLong();
        long labelled = in.readLong();
        long correct = in.readLong();
        double lastLoss = in.readDouble();
        int k = in.readInt();
        if (k < 0 || k > 65536) {
            throw new IOException("corrupt class count " + k);
        }
        String[] classes = new String[k];
        for (int i = 0; i < k; i++) {
            classes[i] = in.readUTF();
        }
        int capacity = in.readInt();
        int pending = in.readInt();
        if (capacity < 1 || pending < 0 || pending > capacity) {
            throw new IOException("corrupt pending batch " + pending + "/" + capacity);
        }
        int size = in.readInt();
        if (size < 1 || (long) size * capacity > Integer.MAX_VALUE / 4) {
            throw new IOException("corrupt example size " + size);
        }
        byte[] raw = new byte[4 * pending * size];
        in.readFully(raw);
        int[] labels = new int[capacity];
        for (int i = 0; i < pending; i++) {
            labels[i] = in.readInt();
        }
        int modelBytes = in.readInt();
        if (modelBytes < 0) {
            throw new IOException("corrupt model length " + modelBytes);
        }
        byte[] model = new byte[modelBytes];
        in.readFully(model);
        ModelCodec.Saved saved = ModelCodec.read(new ByteArrayInputStream(model), backend());
        if (saved.optimizerState() == null) {
            throw new IOException("fleet model state lacks its optimizer state");
        }
        FleetState m = new FleetState(saved.model(), saved.optimizerState(), classes, capacity);
        if (m.exampleSize() != size) {
            throw new IOException("pending examples of size " + size + " do not fit the model's " + m.exampleSize());
        }
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(m.pendingInputs, 0, pending * size);
        System.arraycopy(labels, 0, m.pendingLabels, 0, pending);
        m.pendingCount = pending;
        m.version = version;
        m.windows = windows;
        m.labelled = labelled;
        m.correct = correct;
        m.lastLoss = lastLoss;
        if (format >= 2 && in.readBoolean()) {
            m.frozen = in.readBoolean();
            m.freezes = in.readLong();
            m.unfreezes = in.readLong();
            m.recent = RecentAccuracy.read(in);
            m.decision = DecisionStage.read(in, backend());
            if (m.decision.classes() != classes.length) {
                throw new IOException("decision stage of " + m.decision.classes() + " classes in a fleet of "
                        + classes.length);
            }
        }
        if (format >= 3) {
            m.referenceRpm = in.readDouble();
        }
        if (format >= 4) {
            long skipped = in.readLong();
            long consecutive = in.readLong();
            try {
                m.faults = new FaultCounter(skipped, consecutive);
            } catch (IllegalArgumentException e) {
                throw new IOException("corrupt fleet model state: " + e.getMessage(), e);
            }
        }
        return m;
    }

    @Override
    public TypeSerializerSnapshot<FleetState> snapshotConfiguration() {
        return new Snapshot(backendName());
    }

    /** Snapshot of the serializer's configuration: version 1 holds the backend name. */
    public static final class Snapshot extends BackendSnapshot<FleetState> {
        public Snapshot() {
        }

        Snapshot(String backendName) {
            super(backendName);
        }

        @Override
        public TypeSerializer<FleetState> restoreSerializer() {
            return new FleetStateSerializer(backendName());
        }
    }
}
