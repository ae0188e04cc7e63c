package dev.tandem.learning.al;

import dev.tandem.learning.io.ModelCodec;
import dev.tandem.learning.optim.FaultCounter;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.optim.OptimizerState;
import dev.tandem.learning.tensor.Backend;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One AL component's whole state as bytes: what a pipeline stage checkpoints and restores. Each of the four
 * networks is a {@link ModelCodec} record (specs, parameters, batch-norm statistics), f_l carrying the association
 * optimizer's state (over f_l's then b_l's parameters) and g_l the autoencoder optimizer's (over g_l's then h_l's).
 * <pre>
 * magic "TNDALCMP" · int version (2) · int index · long seed · long step · UTF decoder loss
 * 4 × (int length · ModelCodec bytes)    in Part order: f (+ association state), b, g (+ autoencoder state), h
 * long skipped steps · long of them in a row                            (version 2+; version 1 reads as none)
 * </pre>
 * The optimizers' hyperparameters are configuration, not state: {@link #read} takes them and checks that their
 * kinds match the stored states. Restoring gives a component that continues bit-identically.
 */
public final class ComponentState {
    /** 2: the fault counts (skipped steps in all, in a row) after the parts; version 1 is still read. */
    public static final int VERSION = 2;
    private static final byte[] MAGIC = "TNDALCMP".getBytes(StandardCharsets.US_ASCII);

    private ComponentState() {
    }

    public static void write(OutputStream out, AlComponent c) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        d.write(MAGIC);
        d.writeInt(VERSION);
        d.writeInt(c.index());
        d.writeLong(c.seed());
        d.writeLong(c.step());
        d.writeUTF(c.decoderLoss().name());
        for (Part p : Part.values()) {
            OptimizerState state = switch (p) {
                case ENCODER -> c.associationState();
                case LABEL_ENCODER -> c.autoencoderState();
                default -> null;
            };
            byte[] blob = modelBytes(c.part(p), state);
            d.writeInt(blob.length);
            d.write(blob);
        }
        d.writeLong(c.faults().skipped());
        d.writeLong(c.faults().consecutive());
        d.flush();
    }

    public static AlComponent read(InputStream in, Backend backend, AlOptimizers optimizers) throws IOException {
        DataInputStream d = new DataInputStream(in);
        byte[] magic = new byte[MAGIC.length];
        d.readFully(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new IOException("not a Tandem AL component (bad magic)");
        }
        int version = d.readInt();
        if (version < 1 || version > VERSION) {
            throw new IOException("unsupported AL component version " + version + "; this build reads 1.." + VERSION);
        }
        int index = d.readInt();
        long seed = d.readLong();
        long step = d.readLong();
        DecoderLoss loss = DecoderLoss.valueOf(d.readUTF());
        Sequential[] parts = new Sequential[4];
        OptimizerState association = null;
        OptimizerState autoencoder = null;
        for (Part p : Part.values()) {
            int n = d.readInt();
            if (n < 0 || n > 1 << 30) {
                throw new IOException("corrupt AL component: part " + p + " of " + n + " bytes");
            }
            byte[] blob = new byte[n];
            d.readFully(blob);
            ModelCodec.Saved saved = ModelCodec.read(new ByteArrayInputStream(blob), backend);
            parts[p.ordinal()] = saved.model();
            if (p == Part.ENCODER) {
                association = saved.optimizerState();
            } else if (p == Part.LABEL_ENCODER) {
                autoencoder = saved.optimizerState();
            }
        }
        if (association == null || autoencoder == null) {
            throw new IOException("corrupt AL component: an optimizer state is missing");
        }
        try {
            AlComponent c = new AlComponent(index, seed, parts, loss, optimizers, association, autoencoder, step);
            if (version >= 2) {
                c.restoreFaults(new FaultCounter(d.readLong(), d.readLong()));
            }
            return c;
        } catch (IllegalArgumentException e) {
            throw new IOException("AL component " + (index + 1) + " does not fit: " + e.getMessage(), e);
        }
    }

    public static byte[] toBytes(AlComponent c) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(out, c);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static AlComponent fromBytes(byte[] bytes, Backend backend, AlOptimizers optimizers) throws IOException {
        return read(new ByteArrayInputStream(bytes), backend, optimizers);
    }

    static byte[] modelBytes(Sequential net, OptimizerState state) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ModelCodec.write(out, net, state);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
