package dev.tandem.operators.gearbox;

import java.io.Serializable;

/**
 * The alert rule (configuration {@code alert.*}): RAISED after {@code k} consecutive windows predicted as one fault
 * class with confidence ≥ {@code confidence}; once raised, CLEARED after {@code clearWindows} consecutive windows
 * predicted as {@code healthyClass} (any confidence). A faulty window below the confidence threshold, or of another
 * fault, restarts the count.
 */
public record AlertSettings(int k, double confidence, int clearWindows, String healthyClass) implements Serializable {
    public AlertSettings {
        if (k < 1) {
            throw new IllegalArgumentException("alert.k = " + k + " is out of range; allowed: >= 1");
        }
        if (!(confidence >= 0 && confidence <= 1)) {
            throw new IllegalArgumentException("alert.confidence = " + confidence + " is out of range; allowed: [0, 1]");
        }
        if (clearWindows < 1) {
            throw new IllegalArgumentException("alert.clear-windows = " + clearWindows + " is out of range; allowed: >= 1");
        }
    }
}
