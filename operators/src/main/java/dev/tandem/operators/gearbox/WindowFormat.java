package dev.tandem.operators.gearbox;

import dev.tandem.operators.common.Json;

import java.io.IOException;

/** How vibration windows are encoded on a topic (configuration {@code gearbox.windows.format}). */
public enum WindowFormat {
    JSON, BINARY;

    public byte[] encode(VibrationWindow w) {
        return this == JSON ? Json.write(w) : VibrationWindowBinary.encode(w);
    }

    public VibrationWindow decode(byte[] bytes) throws IOException {
        if (this == BINARY) {
            return VibrationWindowBinary.decode(bytes);
        }
        if (bytes == null || bytes.length == 0) {
            throw new IOException("empty record");
        }
        return Json.read(bytes, VibrationWindow.class);
    }

    public static WindowFormat parse(String s) {
        for (WindowFormat f : values()) {
            if (f.name().equalsIgnoreCase(s)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown window format '" + s + "'; allowed: json, binary");
    }
}
