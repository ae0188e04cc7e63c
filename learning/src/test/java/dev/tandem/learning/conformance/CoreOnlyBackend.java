package dev.tandem.learning.conformance;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.tensor.Activation;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.ConvGeometry;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;
import dev.tandem.learning.tensor.Unary;

/**
 * A backend that implements the core of the SPI only (by the plain-Java reference) and takes every fused kernel from
 * the SPI's defaults: what a new backend gets before it overrides anything. The conformance kit runs on it, so the
 * defaults are checked against the reference. Generated from the abstract methods of {@link Backend}; it must not
 * override a default method ({@code JavaBackendConformanceTest} checks).
 */
public final class CoreOnlyBackend implements Backend {
    private final JavaBackend core = new JavaBackend();

    @Override
    public String name() {
        return "java-core";
    }

    @Override
    public Tensor zeros(DType dtype, int... shape) {
        return core.zeros(dtype, shape);
    }

    @Override
    public Tensor fromHost(float[] data, int... shape) {
        return core.fromHost(data, shape);
    }

    @Override
    public Tensor fromHost(double[] data, int... shape) {
        return core.fromHost(data, shape);
    }

    @Override
    public void copyToHost(Tensor src, float[] dst) {
        core.copyToHost(src, dst);
    }

    @Override
    public void copyToHost(Tensor src, double[] dst) {
        core.copyToHost(src, dst);
    }

    @Override
    public void copyFromHost(float[] src, Tensor dst) {
        core.copyFromHost(src, dst);
    }

    @Override
    public void copyFromHost(double[] src, Tensor dst) {
        core.copyFromHost(src, dst);
    }

    @Override
    public Tensor reshape(Tensor t, int... shape) {
        return core.reshape(t, shape);
    }

    @Override
    public void fill(Tensor t, double value) {
        core.fill(t, value);
    }

    @Override
    public void axpby(double a, Tensor x, double b, Tensor y) {
        core.axpby(a, x, b, y);
    }

    @Override
    public void multiply(Tensor x, Tensor y, Tensor out) {
        core.multiply(x, y, out);
    }

    @Override
    public void divide(Tensor x, Tensor y, Tensor out) {
        core.divide(x, y, out);
    }

    @Override
    public void unary(Unary op, Tensor x, Tensor y) {
        core.unary(op, x, y);
    }

    @Override
    public void scaleChannels(Tensor x, Tensor scale, Tensor out) {
        core.scaleChannels(x, scale, out);
    }

    @Override
    public double sum(Tensor t) {
        return core.sum(t);
    }

    @Override
    public double sumAbs(Tensor t) {
        return core.sumAbs(t);
    }

    @Override
    public double dot(Tensor x, Tensor y) {
        return core.dot(x, y);
    }

    @Override
    public boolean allFinite(Tensor t) {
        return core.allFinite(t);
    }

    @Override
    public void gemm(boolean transA, boolean transB, double alpha, Tensor a, Tensor b, double beta, Tensor c) {
        core.gemm(transA, transB, alpha, a, b, beta, c);
    }

    @Override
    public void addBias(Tensor y, Tensor bias) {
        core.addBias(y, bias);
    }

    @Override
    public void biasGradient(Tensor dy, Tensor dBias) {
        core.biasGradient(dy, dBias);
    }

    @Override
    public void conv2dForward(Tensor x, Tensor w, Tensor bias, ConvGeometry g, Tensor y) {
        core.conv2dForward(x, w, bias, g, y);
    }

    @Override
    public void conv2dBackward(Tensor x, Tensor w, Tensor dy, ConvGeometry g, Tensor dx, Tensor dw, Tensor dBias) {
        core.conv2dBackward(x, w, dy, g, dx, dw, dBias);
    }

    @Override
    public void maxPoolForward(Tensor x, ConvGeometry g, Tensor y) {
        core.maxPoolForward(x, g, y);
    }

    @Override
    public void maxPoolBackward(Tensor x, Tensor dy, ConvGeometry g, Tensor dx) {
        core.maxPoolBackward(x, dy, g, dx);
    }

    @Override
    public void activationForward(Activation f, Tensor z, Tensor y) {
        core.activationForward(f, z, y);
    }

    @Override
    public void activationBackward(Activation f, Tensor z, Tensor y, Tensor dy, Tensor dz) {
        core.activationBackward(f, z, y, dy, dz);
    }

    @Override
    public void softmaxRows(Tensor x, Tensor y) {
        core.softmaxRows(x, y);
    }

    @Override
    public void counterUniform(long seed, long stride, long offset, Tensor out) {
        core.counterUniform(seed, stride, offset, out);
    }

    @Override
    public void copyChannels(Tensor src, int srcFirst, Tensor dst, int dstFirst, int count) {
        core.copyChannels(src, srcFirst, dst, dstFirst, count);
    }

    @Override
    public void addChannels(Tensor src, int srcFirst, Tensor dst, int dstFirst, int count) {
        core.addChannels(src, srcFirst, dst, dstFirst, count);
    }
}
