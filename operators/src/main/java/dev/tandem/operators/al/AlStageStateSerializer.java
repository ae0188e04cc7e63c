package dev.tandem.operators.al;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * The versioned serializer of {@link AlStageState} (no Kryo). One record:
 * <pre>
 * int  record format (1) · long published decoder version · long signals
 * int  length M · M bytes: the component in {@code ComponentState} format (magic TNDALCMP, its own version inside:
 *      f_l with the association optimizer state, b_l, g_l with the autoencoder optimizer state, h_l, the step)
 * </pre>
 * The serializer has no configuration (snapshot {@link Snapshot}, version 1 by {@link SimpleTypeSerializerSnapshot}).
 */
public final class AlStageStateSerializer extends TypeSerializer<AlStageState> {
    public static final int RECORD_FORMAT = 1;
    private static final long serialVersionUID = 1L;
    private static final int MAX_BYTES = 1 << 30;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<AlStageState> duplicate() {
        return this; // stateless
    }

    @Override
    public AlStageState createInstance() {
        return null;
    }

    @Override
    public AlStageState copy(AlStageState from) {
        return from == null ? null : new AlStageState(from.bytes(), from.publishedVersion, from.signals);
    }

    @Override
    public AlStageState copy(AlStageState from, AlStageState reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(AlStageState s, DataOutputView out) throws IOException {
        out.writeInt(RECORD_FORMAT);
        out.writeLong(s.publishedVersion);
        out.writeLong(s.signals);
        byte[] b = s.bytes();
        out.writeInt(b.length);
        out.write(b);
    }

    @Override
    public AlStageState deserialize(DataInputView in) throws IOException {
        int format = in.readInt();
        if (format != RECORD_FORMAT) {
            throw new IOException("AL stage state format " + format + " unsupported; this build reads " + RECORD_FORMAT);
        }
        long published = in.readLong();
        long signals = in.readLong();
        int n = in.readInt();
        if (n < 0 || n > MAX_BYTES) {
            throw new IOException("corrupt AL stage state: component of " + n + " bytes");
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return new AlStageState(b, published, signals);
    }

    @Override
    public AlStageState deserialize(AlStageState reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AlStageStateSerializer;
    }

    @Override
    public int hashCode() {
        return AlStageStateSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<AlStageState> snapshotConfiguration() {
        return new Snapshot();
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<AlStageState> {
        public Snapshot() {
            super(AlStageStateSerializer::new);
        }
    }
}
