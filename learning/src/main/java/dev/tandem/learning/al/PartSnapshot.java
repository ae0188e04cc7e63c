package dev.tandem.learning.al;

import dev.tandem.learning.io.ModelCodec;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.tensor.Backend;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * An immutable copy of one network of one component, with the component's step as its version: what a training
 * stage publishes so that inference can run elsewhere (the decoders h_l of every component, the encoders f_l,
 * and the last bridge b_L). The network is stored as a {@link ModelCodec} record without optimizer state.
 *
 * @param component 0-based component index (l = component + 1)
 * @param version   the component's step when the snapshot was taken
 */
public record PartSnapshot(int component, Part part, long version, byte[] model) {
    public PartSnapshot {
        if (component < 0 || part == null || version < 0 || model == null) {
            throw new IllegalArgumentException("a part snapshot needs a component >= 0, a part, a version >= 0 and bytes");
        }
        model = model.clone();
    }

    public static PartSnapshot of(AlComponent c, Part part) {
        return new PartSnapshot(c.index(), part, c.step(), ComponentState.modelBytes(c.part(part), null));
    }

    /** The decoder snapshot h_l of a component. */
    public static PartSnapshot decoder(AlComponent c) {
        return of(c, Part.LABEL_DECODER);
    }

    /** The network, rebuilt on a backend. */
    public Sequential restore(Backend backend) throws IOException {
        return ModelCodec.read(new ByteArrayInputStream(model), backend).model();
    }

    @Override
    public byte[] model() {
        return model.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PartSnapshot p && p.component == component && p.part == part && p.version == version
                && Arrays.equals(p.model, model);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * component + part.hashCode()) + Long.hashCode(version)) + Arrays.hashCode(model);
    }

    @Override
    public String toString() {
        return "PartSnapshot[component=" + component + ", part=" + part + ", version=" + version + ", bytes="
                + model.length + "]";
    }
}
