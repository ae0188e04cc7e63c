package dev.tandem.tools.kafka;

import dev.tandem.operators.rain.ParseAndValidateWeather;
import dev.tandem.operators.rain.WeatherReading;

/** Weather readings to a topic: key = station, timestamp = the reading's time, value its JSON (missing rain left out). */
public final class WeatherProducer extends RecordProducer<WeatherReading> {
    public WeatherProducer(String bootstrap, String topic) {
        super(bootstrap, topic);
    }

    public WeatherProducer(String bootstrap, String topic, java.util.Map<String, String> security) {
        super(bootstrap, topic, security);
    }

    @Override
    protected String key(WeatherReading r) {
        return r.station;
    }

    @Override
    protected long time(WeatherReading r) {
        return r.time;
    }

    @Override
    protected byte[] encode(WeatherReading r) {
        return ParseAndValidateWeather.write(r);
    }
}
