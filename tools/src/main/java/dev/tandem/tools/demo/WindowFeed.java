package dev.tandem.tools.demo;

import dev.tandem.operators.gearbox.VibrationWindow;

/** An endless or finite supply of windows to replay; {@link #next} returns null when a finite feed is done. */
public interface WindowFeed {
    VibrationWindow next(long timeMs);

    /** The class labels this feed uses. */
    java.util.List<String> labels();
}
