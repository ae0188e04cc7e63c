package dev.tandem.learning.tensor;

/** Element-wise activation functions a backend evaluates in one pass. */
public enum Activation {
    IDENTITY,
    RELU,
    /** ELU with alpha = 1. */
    ELU,
    SIGMOID,
    TANH;

    /** Reference value, used by the Java backend and by tests. */
    public double apply(double z) {
        return switch (this) {
            case IDENTITY -> z;
            case RELU -> z > 0 ? z : 0;
            case ELU -> z > 0 ? z : Math.expm1(z);
            case SIGMOID -> 1.0 / (1.0 + Math.exp(-z));
            case TANH -> Math.tanh(z);
        };
    }

    /** Derivative at z, given y = apply(z). */
    public double derivative(double z, double y) {
        return switch (this) {
            case IDENTITY -> 1;
            case RELU -> z > 0 ? 1 : 0;
            case ELU -> z > 0 ? 1 : y + 1;
            case SIGMOID -> y * (1 - y);
            case TANH -> 1 - y * y;
        };
    }
}
