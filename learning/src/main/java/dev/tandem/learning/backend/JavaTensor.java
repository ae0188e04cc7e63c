package dev.tandem.learning.backend;

import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Shapes;
import dev.tandem.learning.tensor.Tensor;

import java.util.Arrays;

/** A tensor on the Java heap; shared by every backend that computes small operations in Java. */
public final class JavaTensor implements Tensor {
    private final JavaBackend backend;
    private final Buf buf;
    private final int[] shape;

    JavaTensor(JavaBackend backend, Buf buf, int[] shape) {
        if (Shapes.size(shape) != buf.length()) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " does not match " + buf.length()
                    + " elements");
        }
        this.backend = backend;
        this.buf = buf;
        this.shape = shape.clone();
    }

    public Buf buf() {
        return buf;
    }

    /** The backing float array (FLOAT32 only). */
    public float[] floats() {
        if (buf instanceof Buf.F32 f) {
            return f.a;
        }
        throw new IllegalStateException("not a FLOAT32 tensor: " + describe());
    }

    /** The backing double array (FLOAT64 only). */
    public double[] doubles() {
        if (buf instanceof Buf.F64 d) {
            return d.a;
        }
        throw new IllegalStateException("not a FLOAT64 tensor: " + describe());
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public DType dtype() {
        return buf instanceof Buf.F32 ? DType.FLOAT32 : DType.FLOAT64;
    }

    @Override
    public int[] shape() {
        return shape;
    }

    @Override
    public int size() {
        return buf.length();
    }

    @Override
    public String toString() {
        return describe();
    }
}
