package dev.tandem.tools.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.models.rain.TimeStep;
import dev.tandem.operators.common.DeadLetter;
import dev.tandem.operators.gearbox.Alert;
import dev.tandem.operators.gearbox.Prediction;
import dev.tandem.operators.rain.Forecast;
import dev.tandem.operators.rain.WeatherReading;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dashboard's state: bounded per key and in keys, and the numbers the page shows. */
class DashboardStateTest {
    static final long HOUR = 3_600_000L;

    static Prediction prediction(String fleet, String machine, long time, String decision, String label) {
        Prediction p = new Prediction();
        p.fleet = fleet;
        p.machine = machine;
        p.time = time;
        p.classes = new String[] {"healthy", "tooth"};
        p.decision = decision;
        p.label = label;
        p.confidence = 0.8f;
        p.modelVersion = time;
        return p;
    }

    @Test
    void oldKeysAreDroppedAndHistoriesAreFixed() throws Exception {
        DashboardState s = new DashboardState(new DashboardLimits(5, 20, 3), TimeStep.HOURLY);
        for (int i = 0; i < 10_000; i++) {
            s.prediction(prediction("fleet-" + i % 50, "m-" + i, i, "healthy", "healthy"));
            s.alert(new Alert(i, "m-" + i, "fleet-" + i % 50, Alert.RAISED, "tooth", 0.9f, 3, i));
            s.deadLetter(new DeadLetter("t", 0, i, "reason " + i, "raw", i));
            s.metric("0.trainer.loss-" + i, i, 1.0);
        }
        JsonNode j = new ObjectMapper().readTree(s.json());
        assertEquals(5, j.get("fleets").size(), "fleets kept");
        for (JsonNode f : j.get("fleets")) {
            assertTrue(f.get("machines").size() <= 5, "machines per fleet: " + f.get("machines").size());
            assertTrue(f.get("alerts").size() <= DashboardLimits.ALERTS);
            assertTrue(f.get("curve").size() <= 20, "curve points: " + f.get("curve").size());
        }
        assertEquals(5, j.get("dead_letters").get("reasons").size());
        assertEquals(DashboardLimits.EXAMPLES, j.get("dead_letters").get("latest").size());
        assertEquals("reason 9999", j.get("dead_letters").get("latest").get(0).get("reason").asText(), "newest first");
        assertEquals(5, j.get("metrics").size());
        // the newest keys are the ones kept
        assertTrue(j.get("fleets").toString().contains("m-9999"));
    }

    @Test
    void accuracyCurveAndMixFollowThePredictions() throws Exception {
        DashboardState s = new DashboardState(new DashboardLimits(10, 100, 3), TimeStep.HOURLY);
        for (int i = 0; i < 40; i++) {
            // machine a: right 3 times in 4
            s.prediction(prediction("f", "a", 1000L * i, i % 4 == 0 ? "tooth" : "healthy", "healthy"));
        }
        JsonNode f = new ObjectMapper().readTree(s.json()).get("fleets").get(0);
        JsonNode curve = f.get("curve");
        assertEquals(4, curve.size(), "one point per " + DashboardLimits.ACCURACY_EVERY + " labelled predictions");
        assertEquals(0.75, curve.get(3).get(1).asDouble(), 1e-9);
        JsonNode mix = f.get("machines").get(0).get("mix");
        assertEquals(10, mix.get("tooth").asInt());
        assertEquals(30, mix.get("healthy").asInt());
    }

    @Test
    void persistenceIsScoredOnTheStepTheModelWasScoredOn() throws Exception {
        DashboardState s = new DashboardState(new DashboardLimits(10, 100, 3), TimeStep.HOURLY);
        long t0 = 100 * HOUR;
        // step t0: a 1 mm, b 3 mm (two readings); step t0+1h: a 2 mm, b 2 mm
        s.reading(reading("a", t0 + 5, 1));
        s.reading(reading("b", t0 + 5, 1));
        s.reading(reading("b", t0 + 10, 2));
        s.reading(reading("a", t0 + HOUR + 5, 2));
        s.reading(reading("b", t0 + HOUR + 5, 2));
        // the forecast issued at t0+2h (one step ahead) scores the step t0+1h; persistence said step t0's rain
        Forecast f = new Forecast();
        f.region = "r";
        f.issuedAt = t0 + 2 * HOUR;
        f.validAt = f.issuedAt;
        f.validUntil = f.validAt + HOUR;
        f.grid = new Forecast.GridSpec(1, 2, 0, 0, 1, 1);
        f.rainMm = new float[][] {{1, 2}};
        f.stations = new Forecast.StationValue[] {new Forecast.StationValue("a", 0, 0, 1), new Forecast.StationValue("b", 0, 1, 2)};
        f.previousMse = 0.5;
        s.forecast(f);
        JsonNode r = new ObjectMapper().readTree(s.json()).get("regions").get(0);
        JsonNode point = r.get("curve").get(0);
        assertEquals(0.5, point.get(2).asDouble(), 1e-9, "model MSE");
        assertEquals(((2 - 1) * (2 - 1) + (2 - 3) * (2 - 3)) / 2.0, point.get(3).asDouble(), 1e-9, "persistence MSE");
        // the step the forecast is valid for has no reading yet: no observed value
        assertTrue(r.get("forecasts").get(0).get("stations").get(0).get("observed_mm").isNull());
    }

    @Test
    void theStepOfTheForecastsWinsOverAWrongConfiguredOne() throws Exception {
        DashboardState s = new DashboardState(new DashboardLimits(10, 100, 3), TimeStep.DAILY);
        long t0 = 1000 * HOUR;
        Forecast f = new Forecast();
        f.region = "r";
        f.issuedAt = t0;
        f.validAt = t0;
        f.validUntil = t0 + HOUR;
        f.grid = new Forecast.GridSpec(1, 1, 0, 0, 1, 1);
        f.rainMm = new float[][] {{1}};
        f.stations = new Forecast.StationValue[] {new Forecast.StationValue("a", 0, 0, 1)};
        s.forecast(f);
        s.reading(reading("a", t0 + 5, 2));
        s.reading(reading("a", t0 + HOUR + 5, 7)); // the next hour: not part of the step shown
        JsonNode st = new ObjectMapper().readTree(s.json());
        assertEquals("hourly", st.get("step").asText());
        assertEquals(2.0, st.get("regions").get(0).get("forecasts").get(0).get("stations").get(0).get("observed_mm").asDouble(), 1e-9);
    }

    static WeatherReading reading(String station, long time, double mm) {
        WeatherReading r = new WeatherReading();
        r.station = station;
        r.time = time;
        r.rainMm = mm;
        return r;
    }
}
