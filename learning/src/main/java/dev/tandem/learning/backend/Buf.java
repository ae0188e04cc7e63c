package dev.tandem.learning.backend;

/**
 * Heap storage of a {@link JavaTensor}: float or double. Kernels read and write through {@link #get} and
 * {@link #set}; a process that trains in one precision sees a monomorphic call site that the JIT inlines.
 */
public abstract sealed class Buf permits Buf.F32, Buf.F64 {

    public abstract double get(int i);

    public abstract void set(int i, double v);

    public abstract int length();

    public static final class F32 extends Buf {
        public final float[] a;

        public F32(float[] a) {
            this.a = a;
        }

        @Override
        public double get(int i) {
            return a[i];
        }

        @Override
        public void set(int i, double v) {
            a[i] = (float) v;
        }

        @Override
        public int length() {
            return a.length;
        }
    }

    public static final class F64 extends Buf {
        public final double[] a;

        public F64(double[] a) {
            this.a = a;
        }

        @Override
        public double get(int i) {
            return a[i];
        }

        @Override
        public void set(int i, double v) {
            a[i] = v;
        }

        @Override
        public int length() {
            return a.length;
        }
    }
}
