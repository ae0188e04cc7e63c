package dev.tandem.operators.rain;

import dev.tandem.operators.common.Json;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One station's reading (topic {@code weather-readings}, key = station): the long-format CSV row of
 * ARCHITECTURE.md. Optional standard fields are null when absent; any further numeric field is kept as an extra
 * feature (names and values in two arrays, so the record stays a Kryo-free Flink POJO).
 */
public class WeatherReading {
    @JsonDeserialize(using = Json.TimeDeserializer.class)
    public long time;
    public String station;
    public double lat;
    public double lon;
    public double rainMm;
    public Double humidityPct;
    public Double pressureHpa;
    public Double tempC;
    public Double windKmh;
    @JsonIgnore
    public String[] extraNames = new String[0];
    @JsonIgnore
    public double[] extraValues = new double[0];
    /** Where the reading came from (topic, partition, offset; null/-1 when not from a topic), for dead letters. */
    @JsonIgnore
    public String sourceTopic;
    @JsonIgnore
    public int sourcePartition = -1;
    @JsonIgnore
    public long sourceOffset = -1;

    public WeatherReading() {
    }

    /**
     * Adds one extra feature. Copies both arrays, so it is for a handful of features (the CSV path); records from a
     * topic are read by {@link WeatherReadingJson}, which gathers any number of them in linear time.
     */
    @JsonAnySetter
    public void putExtra(String name, Object value) {
        if (!(value instanceof Number n)) {
            throw new IllegalArgumentException("extra field '" + name + "' must be numeric, got " + value);
        }
        extraNames = Arrays.copyOf(extraNames, extraNames.length + 1);
        extraValues = Arrays.copyOf(extraValues, extraValues.length + 1);
        extraNames[extraNames.length - 1] = name;
        extraValues[extraValues.length - 1] = n.doubleValue();
    }

    @JsonAnyGetter
    public Map<String, Double> extras() {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < extraNames.length; i++) {
            m.put(extraNames[i], extraValues[i]);
        }
        return m;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof WeatherReading w)) {
            return false;
        }
        return time == w.time && Objects.equals(station, w.station) && Double.compare(lat, w.lat) == 0
                && Double.compare(lon, w.lon) == 0 && Double.compare(rainMm, w.rainMm) == 0
                && Objects.equals(humidityPct, w.humidityPct) && Objects.equals(pressureHpa, w.pressureHpa)
                && Objects.equals(tempC, w.tempC) && Objects.equals(windKmh, w.windKmh)
                && Arrays.equals(extraNames, w.extraNames) && Arrays.equals(extraValues, w.extraValues);
    }

    @Override
    public int hashCode() {
        return Objects.hash(time, station, lat, lon, rainMm);
    }
}
