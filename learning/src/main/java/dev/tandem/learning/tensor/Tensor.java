package dev.tandem.learning.tensor;

import java.util.Arrays;

/**
 * A dense, contiguous, row-major array of numbers owned by a {@link Backend}. Where the numbers live (heap,
 * off-heap, GPU memory) is the backend's business; reading them on the host is always an explicit copy.
 */
public interface Tensor {

    Backend backend();

    DType dtype();

    /** The shape; callers must not modify the returned array. */
    int[] shape();

    default int rank() {
        return shape().length;
    }

    default int dim(int axis) {
        return shape()[axis];
    }

    default int size() {
        return Shapes.size(shape());
    }

    /** Explicit host copy. */
    default float[] toFloatArray() {
        float[] out = new float[size()];
        backend().copyToHost(this, out);
        return out;
    }

    /** Explicit host copy. */
    default double[] toDoubleArray() {
        double[] out = new double[size()];
        backend().copyToHost(this, out);
        return out;
    }

    /** A tensor with the same storage and another shape of the same size. */
    default Tensor reshape(int... newShape) {
        return backend().reshape(this, newShape);
    }

    default String describe() {
        return dtype() + Arrays.toString(shape()) + "@" + backend().name();
    }
}
