package dev.tandem.models.rain;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Per-feature normalisation learned online (Welford's running mean and variance), kept as state and serialisable.
 * A feature whose name starts with {@code rain} or ends with {@code _mm} (heavily skewed amounts) is first
 * transformed by {@code log1p(max(x, 0))}; {@link #normalise} returns {@code (t(x) − mean) / std} with the sample
 * standard deviation (1 until a feature has two values; at least 1e-6).
 */
public final class FeatureNormaliser {
    private static final int VERSION = 1;
    private final List<String> features;
    private final boolean[] log;
    private final long[] count;
    private final double[] mean;
    private final double[] m2;

    public FeatureNormaliser(List<String> features) {
        this.features = List.copyOf(features);
        int n = features.size();
        log = new boolean[n];
        for (int i = 0; i < n; i++) {
            log[i] = isAmount(features.get(i));
        }
        count = new long[n];
        mean = new double[n];
        m2 = new double[n];
    }

    /** Whether a feature is an amount transformed by log1p before normalisation. */
    public static boolean isAmount(String feature) {
        return feature.startsWith("rain") || feature.endsWith("_mm");
    }

    public List<String> features() {
        return features;
    }

    public double transform(int f, double x) {
        return log[f] ? Math.log1p(Math.max(x, 0)) : x;
    }

    /** Adds one observed value of feature f; NaN and infinite values are ignored. */
    public void update(int f, double x) {
        if (!Double.isFinite(x)) {
            return;
        }
        double t = transform(f, x);
        count[f]++;
        double d = t - mean[f];
        mean[f] += d / count[f];
        m2[f] += d * (t - mean[f]);
    }

    public long count(int f) {
        return count[f];
    }

    public double mean(int f) {
        return mean[f];
    }

    public double std(int f) {
        if (count[f] < 2) {
            return 1;
        }
        return Math.max(1e-6, Math.sqrt(m2[f] / (count[f] - 1)));
    }

    public double normalise(int f, double x) {
        return (transform(f, x) - mean[f]) / std(f);
    }

    public byte[] toBytes() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(VERSION);
            out.writeInt(features.size());
            for (int i = 0; i < features.size(); i++) {
                out.writeUTF(features.get(i));
                out.writeLong(count[i]);
                out.writeDouble(mean[i]);
                out.writeDouble(m2[i]);
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static FeatureNormaliser fromBytes(byte[] b) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(b));
            int v = in.readInt();
            if (v != VERSION) {
                throw new IllegalArgumentException("unknown normaliser state version " + v + " (expected " + VERSION + ")");
            }
            int n = in.readInt();
            List<String> names = new ArrayList<>(n);
            long[] c = new long[n];
            double[] m = new double[n];
            double[] s = new double[n];
            for (int i = 0; i < n; i++) {
                names.add(in.readUTF());
                c[i] = in.readLong();
                m[i] = in.readDouble();
                s[i] = in.readDouble();
            }
            FeatureNormaliser f = new FeatureNormaliser(names);
            System.arraycopy(c, 0, f.count, 0, n);
            System.arraycopy(m, 0, f.mean, 0, n);
            System.arraycopy(s, 0, f.m2, 0, n);
            return f;
        } catch (IOException e) {
            throw new IllegalArgumentException("corrupt normaliser state: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeatureNormaliser n && features.equals(n.features) && Arrays.equals(count, n.count)
                && Arrays.equals(mean, n.mean) && Arrays.equals(m2, n.m2);
    }

    @Override
    public int hashCode() {
        return features.hashCode() * 31 + Arrays.hashCode(count);
    }
}
