package dev.tandem.operators.common;

import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.Backends;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * What the keyed-state serializers of Tandem's models share: a model lives on a compute backend (named in the
 * configuration and kept in the serializer's snapshot, so a restore rebuilds tensors on the same backend, or on
 * {@code auto} where that one is missing); state objects are mutable, of variable length, and copied through
 * their own binary encoding. A subclass writes and reads its versioned record format and names its snapshot.
 */
public abstract class ModelStateSerializer<T> extends TypeSerializer<T> {
    private static final long serialVersionUID = 1L;
    private final String backendName;
    private transient Backend backend;

    protected ModelStateSerializer(String backendName) {
        this.backendName = backendName;
    }

    public final String backendName() {
        return backendName;
    }

    /** The backend tensors are restored on. */
    protected final Backend backend() {
        if (backend == null) {
            Backend b;
            try {
                b = Backends.choose(backendName).backend();
            } catch (IllegalArgumentException e) {
                b = Backends.choose("auto").backend();
            }
            backend = b;
        }
        return backend;
    }

    /** What the state is, for error messages ("fleet model", "rain model"). */
    protected abstract String what();

    @Override
    public final boolean isImmutableType() {
        return false;
    }

    @Override
    public final T createInstance() {
        return null;
    }

    @Override
    public final T copy(T from) {
        if (from == null) {
            return null;
        }
        try {
            return fromBytes(toBytes(from));
        } catch (IOException e) {
            throw new IllegalStateException("cannot copy " + what() + " state", e);
        }
    }

    @Override
    public final T copy(T from, T reuse) {
        return copy(from);
    }

    @Override
    public final int getLength() {
        return -1;
    }

    @Override
    public final T deserialize(T reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public final void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass();
    }

    @Override
    public int hashCode() {
        return getClass().hashCode();
    }

    public final byte[] toBytes(T m) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(1 << 16);
        serialize(m, out);
        return out.getCopyOfBuffer();
    }

    public final T fromBytes(byte[] bytes) throws IOException {
        return deserialize(new DataInputDeserializer(bytes));
    }

    /**
     * A serializer snapshot, version 1: the backend name. Subclasses (public, with a public no-argument
     * constructor, as Flink instantiates them by name) only say which serializer they restore.
     */
    public abstract static class BackendSnapshot<T> implements TypeSerializerSnapshot<T> {
        private String backendName = "auto";

        protected BackendSnapshot() {
        }

        protected BackendSnapshot(String backendName) {
            this.backendName = backendName;
        }

        protected final String backendName() {
            return backendName;
        }

        @Override
        public final int getCurrentVersion() {
            return 1;
        }

        @Override
        public final void writeSnapshot(DataOutputView out) throws IOException {
            out.writeUTF(backendName);
        }

        @Override
        public final void readSnapshot(int readVersion, DataInputView in, ClassLoader userCodeClassLoader)
                throws IOException {
            if (readVersion != 1) {
                throw new IOException(getClass().getName() + " version " + readVersion + " unsupported");
            }
            backendName = in.readUTF();
        }

        @Override
        public final TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(
                TypeSerializerSnapshot<T> oldSerializerSnapshot) {
            return oldSerializerSnapshot != null && oldSerializerSnapshot.getClass() == getClass()
                    ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                    : TypeSerializerSchemaCompatibility.incompatible();
        }
    }
}
