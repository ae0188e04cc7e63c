package dev.tandem.tools.kafka;

import dev.tandem.operators.gearbox.VibrationWindow;
import dev.tandem.operators.gearbox.WindowFormat;

/** Vibration windows to a topic: key = machine, timestamp = the window's time, value in the topic's {@link WindowFormat}. */
public final class WindowProducer extends RecordProducer<VibrationWindow> {
    private final WindowFormat format;

    public WindowProducer(String bootstrap, String topic, WindowFormat format) {
        this(bootstrap, topic, format, java.util.Map.of());
    }

    public WindowProducer(String bootstrap, String topic, WindowFormat format, java.util.Map<String, String> security) {
        super(bootstrap, topic, security);
        this.format = format;
    }

    @Override
    protected String key(VibrationWindow w) {
        return w.machine;
    }

    @Override
    protected long time(VibrationWindow w) {
        return w.time;
    }

    @Override
    protected byte[] encode(VibrationWindow w) {
        return format.encode(w);
    }
}
