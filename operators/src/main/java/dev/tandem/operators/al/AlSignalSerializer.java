package dev.tandem.operators.al;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The serializer of {@link AlSignal} between AL stages (no Kryo, no POJO reflection). The payloads s and t are
 * written in bulk: a float array goes through a scratch byte array in one copy each way, where Flink's
 * {@code FloatPrimitiveArraySerializer} writes and reads every float on its own (32 × 8,192 calls per batch for the
 * gearbox network's input). One record:
 * <pre>
 * byte format (1) · key (StringValue) · int kind · long seq · int n · int[] inputShape
 * float[] s · float[] t · long[] versions · long time · origin, label (StringValue, null allowed)
 * </pre>
 * An array is {@code int length} (−1 for null) then its elements; floats little-endian (the byte order of the
 * machines it runs on, so the bulk copy needs no swapping). AlSignal is never keyed state, so the format only has
 * to agree between the tasks of one running job; the snapshot still carries a version
 * ({@link SimpleTypeSerializerSnapshot}). The scratch buffer makes an instance stateful: {@link #duplicate()} gives
 * each thread its own.
 */
public final class AlSignalSerializer extends TypeSerializer<AlSignal> {
    public static final byte RECORD_FORMAT = 1;
    private static final long serialVersionUID = 1L;
    /** The most floats one payload may hold (a corrupt length fails rather than allocating gigabytes). */
    static final int MAX_FLOATS = 1 << 28;
    private transient byte[] scratch;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<AlSignal> duplicate() {
        return new AlSignalSerializer();
    }

    @Override
    public AlSignal createInstance() {
        return new AlSignal();
    }

    @Override
    public AlSignal copy(AlSignal from) {
        AlSignal a = new AlSignal();
        a.key = from.key;
        a.kind = from.kind;
        a.seq = from.seq;
        a.n = from.n;
        a.inputShape = from.inputShape == null ? null : from.inputShape.clone();
        a.s = from.s == null ? null : from.s.clone();
        a.t = from.t == null ? null : from.t.clone();
        a.versions = from.versions == null ? null : from.versions.clone();
        a.time = from.time;
        a.origin = from.origin;
        a.label = from.label;
        return a;
    }

    @Override
    public AlSignal copy(AlSignal from, AlSignal reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(AlSignal a, DataOutputView out) throws IOException {
        out.writeByte(RECORD_FORMAT);
        StringValue.writeString(a.key, out);
        out.writeInt(a.kind);
        out.writeLong(a.seq);
        out.writeInt(a.n);
        writeInts(a.inputShape, out);
        writeFloats(a.s, out);
        writeFloats(a.t, out);
        if (a.versions == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(a.versions.length);
            for (long v : a.versions) {
                out.writeLong(v);
            }
        }
        out.writeLong(a.time);
        StringValue.writeString(a.origin, out);
        StringValue.writeString(a.label, out);
    }

    @Override
    public AlSignal deserialize(DataInputView in) throws IOException {
        byte format = in.readByte();
        if (format != RECORD_FORMAT) {
            throw new IOException("AL signal format " + format + " unsupported; this build reads " + RECORD_FORMAT);
        }
        AlSignal a = new AlSignal();
        a.key = StringValue.readString(in);
        a.kind = in.readInt();
        a.seq = in.readLong();
        a.n = in.readInt();
        a.inputShape = readInts(in);
        a.s = readFloats(in);
        a.t = readFloats(in);
        int versions = length(in, MAX_FLOATS);
        if (versions >= 0) {
            a.versions = new long[versions];
            for (int i = 0; i < versions; i++) {
                a.versions[i] = in.readLong();
            }
        }
        a.time = in.readLong();
        a.origin = StringValue.readString(in);
        a.label = StringValue.readString(in);
        return a;
    }

    @Override
    public AlSignal deserialize(AlSignal reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    private static void writeInts(int[] v, DataOutputView out) throws IOException {
        if (v == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(v.length);
        for (int x : v) {
            out.writeInt(x);
        }
    }

    private static int[] readInts(DataInputView in) throws IOException {
        int n = length(in, MAX_FLOATS);
        if (n < 0) {
            return null;
        }
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
            v[i] = in.readInt();
        }
        return v;
    }

    private void writeFloats(float[] v, DataOutputView out) throws IOException {
        if (v == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(v.length);
        byte[] b = scratch(v.length);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(v);
        out.write(b, 0, 4 * v.length);
    }

    private float[] readFloats(DataInputView in) throws IOException {
        int n = length(in, MAX_FLOATS);
        if (n < 0) {
            return null;
        }
        byte[] b = scratch(n);
        in.readFully(b, 0, 4 * n);
        float[] v = new float[n];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    private static int length(DataInputView in, int max) throws IOException {
        int n = in.readInt();
        if (n < -1 || n > max) {
            throw new IOException("corrupt AL signal: array of " + n + " elements");
        }
        return n;
    }

    private byte[] scratch(int floats) {
        if (scratch == null || scratch.length < 4 * floats) {
            scratch = new byte[4 * floats];
        }
        return scratch;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AlSignalSerializer;
    }

    @Override
    public int hashCode() {
        return AlSignalSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<AlSignal> snapshotConfiguration() {
        return new Snapshot();
    }

    /** No configuration: the version is {@link SimpleTypeSerializerSnapshot}'s. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<AlSignal> {
        public Snapshot() {
            super(AlSignalSerializer::new);
        }
    }
}
