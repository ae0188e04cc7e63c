package dev.tandem.learning.tensor;

/**
 * Parameterless element-wise maps of the core SPI ({@link Backend#unary}); with {@link Backend#axpby},
 * {@link Backend#multiply} and {@link Backend#divide} they are what the fused defaults ({@link FusedDefaults}) are
 * built from.
 */
public enum Unary {
    SQRT,
    ABS,
    SQUARE,
    RECIPROCAL,
    EXP,
    /** Natural logarithm (−∞ at 0, NaN below). */
    LOG,
    /** 1 where x ≥ 0, else 0 (NaN gives 0): the comparison the random masks are made of. */
    NON_NEGATIVE;

    /** Reference value, used by the Java backend and by tests. */
    public double apply(double x) {
        return switch (this) {
            case SQRT -> Math.sqrt(x);
            case ABS -> Math.abs(x);
            case SQUARE -> x * x;
            case RECIPROCAL -> 1.0 / x;
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case NON_NEGATIVE -> x >= 0 ? 1 : 0;
        };
    }
}
