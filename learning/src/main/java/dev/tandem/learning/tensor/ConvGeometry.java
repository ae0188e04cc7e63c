package dev.tandem.learning.tensor;

/**
 * Geometry of a 2-D convolution or pooling over NCHW inputs. A 1-D convolution is the case inH = kernelH = 1.
 * "Same" padding follows TensorFlow: out = ceil(in / stride), the odd extra pad cell at the bottom/right.
 */
public record ConvGeometry(int inH, int inW, int kernelH, int kernelW, int strideH, int strideW,
                           int padTop, int padLeft, int outH, int outW) {

    public enum Padding { SAME, VALID }

    public static ConvGeometry of(int inH, int inW, int kernelH, int kernelW, int strideH, int strideW,
                                  Padding padding) {
        if (kernelH < 1 || kernelW < 1) {
            throw new IllegalArgumentException("kernel must be >= 1, got " + kernelH + "x" + kernelW);
        }
        if (strideH < 1 || strideW < 1) {
            throw new IllegalArgumentException("stride must be >= 1, got " + strideH + "x" + strideW);
        }
        int outH;
        int outW;
        int padTop;
        int padLeft;
        if (padding == Padding.SAME) {
            outH = (inH + strideH - 1) / strideH;
            outW = (inW + strideW - 1) / strideW;
            padTop = Math.max((outH - 1) * strideH + kernelH - inH, 0) / 2;
            padLeft = Math.max((outW - 1) * strideW + kernelW - inW, 0) / 2;
        } else {
            if (inH < kernelH || inW < kernelW) {
                throw new IllegalArgumentException("valid convolution: input " + inH + "x" + inW
                        + " smaller than kernel " + kernelH + "x" + kernelW);
            }
            outH = (inH - kernelH) / strideH + 1;
            outW = (inW - kernelW) / strideW + 1;
            padTop = 0;
            padLeft = 0;
        }
        return new ConvGeometry(inH, inW, kernelH, kernelW, strideH, strideW, padTop, padLeft, outH, outW);
    }

    /** Total padding rows (top + bottom) implied by the output size. */
    public int padBottom() {
        return Math.max((outH - 1) * strideH + kernelH - inH - padTop, 0);
    }

    public int padRight() {
        return Math.max((outW - 1) * strideW + kernelW - inW - padLeft, 0);
    }

    /** Multiply-adds of one forward pass for one example. */
    public long macs(int inChannels, int outChannels) {
        return (long) outH * outW * outChannels * inChannels * kernelH * kernelW;
    }
}
