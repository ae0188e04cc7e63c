package dev.tandem.backend.cuda;

import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Shapes;
import dev.tandem.learning.tensor.Tensor;
import jcuda.driver.CUdeviceptr;

/** A tensor in device memory; reshaped views share the {@link DeviceMemory}. Reading it on the host is a copy. */
final class CudaTensor implements Tensor {
    private final CudaBackend backend;
    private final DType dtype;
    private final int[] shape;
    private final int size;
    private final DeviceMemory memory;

    CudaTensor(CudaBackend backend, DType dtype, int[] shape, DeviceMemory memory) {
        this.backend = backend;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.size = Shapes.size(shape);
        this.memory = memory;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public int[] shape() {
        return shape;
    }

    @Override
    public int size() {
        return size;
    }

    DeviceMemory memory() {
        return memory;
    }

    CUdeviceptr ptr() {
        return memory.ptr();
    }

    /** The device address of element {@code index}. */
    CUdeviceptr at(long index) {
        return index == 0 ? memory.ptr() : memory.ptr().withByteOffset(index * dtype.bytes());
    }

    long bytes() {
        return (long) size * dtype.bytes();
    }
}
