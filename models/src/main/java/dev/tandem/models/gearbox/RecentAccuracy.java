package dev.tandem.models.gearbox;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** Right/wrong of the last N scored decisions (a ring), for the freeze policy. */
public final class RecentAccuracy {
    private final boolean[] ring;
    private int count;
    private int next;
    private int correct;

    public RecentAccuracy(int window) {
        ring = new boolean[window];
    }

    public void add(boolean right) {
        if (count == ring.length) {
            if (ring[next]) {
                correct--;
            }
        } else {
            count++;
        }
        ring[next] = right;
        if (right) {
            correct++;
        }
        next = (next + 1) % ring.length;
    }

    public boolean full() {
        return count == ring.length;
    }

    public int count() {
        return count;
    }

    public int window() {
        return ring.length;
    }

    public double accuracy() {
        return count == 0 ? Double.NaN : (double) correct / count;
    }

    /** int window · int count · int next · window booleans. */
    public void write(DataOutput out) throws IOException {
        out.writeInt(ring.length);
        out.writeInt(count);
        out.writeInt(next);
        for (boolean b : ring) {
            out.writeBoolean(b);
        }
    }

    public static RecentAccuracy read(DataInput in) throws IOException {
        int window = in.readInt();
        int count = in.readInt();
        int next = in.readInt();
        if (window < 1 || window > 1 << 24 || count < 0 || count > window || next < 0 || next >= window) {
            throw new IOException("corrupt recent-accuracy ring " + count + "/" + window + " at " + next);
        }
        RecentAccuracy r = new RecentAccuracy(window);
        for (int i = 0; i < window; i++) {
            r.ring[i] = in.readBoolean();
            if (r.ring[i] && (count == window || i < count)) { // a ring not yet full fills 0 .. count-1
                r.correct++;
            }
        }
        r.count = count;
        r.next = next;
        return r;
    }
}
