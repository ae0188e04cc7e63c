package dev.tandem.operators.rain;

import dev.tandem.operators.common.ModelStateSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * The keyed-state serializer of a region's rasterizer set-up ({@link RasterizerFunction.Setup}: grid, features and
 * the online normaliser), so the state holds the object itself and a heap state backend encodes it only at
 * checkpoints, not on every frame. The record is the set-up's versioned bytes ({@link RasterizerFunction#SETUP_FORMAT}),
 * length-prefixed. No tensors: the backend name the base class keeps is unused.
 */
public final class RasterSetupSerializer extends ModelStateSerializer<RasterizerFunction.Setup> {
    private static final long serialVersionUID = 1L;

    public RasterSetupSerializer() {
        super("java");
    }

    @Override
    protected String what() {
        return "rasterizer set-up";
    }

    @Override
    public TypeSerializer<RasterizerFunction.Setup> duplicate() {
        return new RasterSetupSerializer();
    }

    @Override
    public void serialize(RasterizerFunction.Setup s, DataOutputView out) throws IOException {
        byte[] b = s.toBytes();
        out.writeInt(b.length);
        out.write(b);
    }

    @Override
    public RasterizerFunction.Setup deserialize(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > (64 << 20)) {
            throw new IOException("corrupt rasterizer set-up of " + n + " bytes");
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return RasterizerFunction.Setup.fromBytes(b);
    }

    @Override
    public TypeSerializerSnapshot<RasterizerFunction.Setup> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of the serializer: nothing to configure (version 1 of the base's snapshot). */
    public static final class Snapshot extends BackendSnapshot<RasterizerFunction.Setup> {
        public Snapshot() {
            super("java");
        }

        @Override
        public TypeSerializer<RasterizerFunction.Setup> restoreSerializer() {
            return new RasterSetupSerializer();
        }
    }
}
