package dev.tandem.tools.dashboard;

import dev.tandem.job.config.TandemConfig;
import dev.tandem.operators.common.DeadLetter;
import dev.tandem.operators.common.Json;
import dev.tandem.operators.gearbox.Alert;
import dev.tandem.operators.gearbox.Prediction;
import dev.tandem.operators.rain.Forecast;
import dev.tandem.operators.rain.WeatherReading;
import dev.tandem.operators.rain.WeatherRules;
import dev.tandem.tools.kafka.CommittedReader;

import java.util.List;

/**
 * The dashboard's Kafka side: one read_committed consumer ({@link CommittedReader}) over the jobs' outputs
 * (forecasts, alerts, predictions, dead letters: only what a completed checkpoint committed) and the weather
 * readings (the stations' observed rain, for the map and the persistence baseline). Each value is decoded into its
 * record class and handed to the state; one that does not decode is counted, never shown.
 */
public final class DashboardFeed implements AutoCloseable {
    private final CommittedReader reader;

    public DashboardFeed(String bootstrap, TandemConfig c, DashboardState state) {
        String forecasts = c.string("topics.rain-forecasts");
        String alerts = c.string("topics.gearbox-alerts");
        String predictions = c.string("topics.gearbox-predictions");
        String deadLetters = c.string("topics.dead-letters");
        String readings = c.string("topics.weather-readings");
        // the readings topic is the job's input: what its rules refuse is a dead letter there, not observed rain here
        WeatherRules rules = c.weatherRules();
        this.reader = new CommittedReader(bootstrap,
                dev.tandem.job.kafka.KafkaClientSecurity.properties(c), List.of(forecasts, alerts, predictions, deadLetters, readings),
                (topic, value) -> {
                    try {
                        if (value == null) {
                            state.unreadable(topic);
                        } else if (topic.equals(forecasts)) {
                            state.forecast(Json.read(value, Forecast.class));
                        } else if (topic.equals(alerts)) {
                            state.alert(Json.read(value, Alert.class));
                        } else if (topic.equals(predictions)) {
                            state.prediction(Json.read(value, Prediction.class));
                        } else if (topic.equals(deadLetters)) {
                            state.deadLetter(Json.read(value, DeadLetter.class));
                        } else if (topic.equals(readings)) {
                            WeatherReading r = Json.read(value, WeatherReading.class);
                            if (rules.problem(r) == null) {
                                state.reading(r);
                            } else {
                                state.refusedReading();
                            }
                        }
                    } catch (Exception e) {
                        // a malformed input reading is the job's dead letter, not the dashboard's failure
                        state.unreadable(topic);
                    }
                });
    }

    public long count(String topic) {
        return reader.count(topic);
    }

    @Override
    public void close() throws InterruptedException {
        reader.close();
    }
}
