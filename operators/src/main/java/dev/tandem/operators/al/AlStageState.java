package dev.tandem.operators.al;

import dev.tandem.learning.al.AlComponent;
import dev.tandem.learning.al.AlOptimizers;
import dev.tandem.learning.al.ComponentState;
import dev.tandem.learning.tensor.Backend;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The keyed state of one AL stage for one key: its component (f_l, b_l, g_l, h_l, both optimizer states, the
 * step) and the version of the decoder snapshot it published last. The component is held live once decoded;
 * the serializer writes it through {@link ComponentState} and reads back only the bytes, so decoding — which
 * needs the backend and the optimizers' hyperparameters, both configuration — happens in the stage.
 */
public final class AlStageState {
    private byte[] encoded;
    private AlComponent live;
    /** The step of the last published decoder snapshot (-1: none yet). */
    public long publishedVersion = -1;
    /** Signals this stage processed for the key. */
    public long signals;

    public AlStageState(AlComponent live) {
        this.live = live;
    }

    AlStageState(byte[] encoded, long publishedVersion, long signals) {
        this.encoded = encoded;
        this.publishedVersion = publishedVersion;
        this.signals = signals;
    }

    /** The component, decoded on first use after a restore. */
    public AlComponent component(Backend backend, AlOptimizers optimizers) {
        if (live == null) {
            try {
                live = ComponentState.fromBytes(encoded, backend, optimizers);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot restore an AL stage's component", e);
            }
            encoded = null;
        }
        return live;
    }

    /** The component's bytes ({@link ComponentState} format). */
    public byte[] bytes() {
        return live != null ? ComponentState.toBytes(live) : encoded.clone();
    }
}
