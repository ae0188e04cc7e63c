package dev.tandem.models.rain;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Time-step inference, parsing and numbering. */
class TimeStepTest {
    private static List<WeatherCsv.Reading> series(String station, long... times) {
        List<WeatherCsv.Reading> out = new ArrayList<>();
        for (long t : times) {
            out.add(new WeatherCsv.Reading(t, station, 0, 0, new double[] {0}));
        }
        return out;
    }

    @Test
    void infersTheMostCommonSpacingOfAStation() {
        long h = TimeStep.HOUR;
        List<WeatherCsv.Reading> r = new ArrayList<>(series("A", 0, h, 2 * h, 3 * h, 10 * h));
        r.addAll(series("B", 5 * h, 7 * h)); // one 2 h gap: hourly stays the mode
        r.addAll(series("C", 7 * h, 5 * h, 6 * h)); // unsorted
        assertEquals(TimeStep.HOURLY, TimeStep.infer(r));
        long d = TimeStep.DAY;
        assertEquals(TimeStep.DAILY, TimeStep.infer(series("A", 0, d, 2 * d, 4 * d)));
        assertNull(TimeStep.infer(series("A", 5, 5)));
    }

    @Test
    void calendarMonthsAreMonthly() {
        List<WeatherCsv.Reading> r = new ArrayList<>();
        for (int m = 1; m <= 12; m++) {
            r.add(new WeatherCsv.Reading(WeatherCsv.parseTime(String.format("2021-%02d-01", m)), "A", 0, 0,
                    new double[] {0}));
        }
        assertEquals(TimeStep.MONTHLY, TimeStep.infer(r));
        TimeStep m = TimeStep.MONTHLY;
        long i = m.index(WeatherCsv.parseTime("2021-03-17T12:00:00Z"));
        assertEquals(WeatherCsv.parseTime("2021-03-01"), m.start(i));
        assertEquals(3, m.month(i));
        assertEquals(i + 1, m.index(WeatherCsv.parseTime("2021-04-01")));
    }

    @Test
    void parsesNamesAndDurations() {
        assertEquals(TimeStep.DAILY, TimeStep.parse("daily"));
        assertEquals(TimeStep.HOURLY, TimeStep.parse("1h"));
        assertEquals(new TimeStep(6 * TimeStep.HOUR, false), TimeStep.parse("6h"));
        assertEquals(new TimeStep(30 * TimeStep.MINUTE, false), TimeStep.parse("30min"));
        assertEquals("2d", TimeStep.parse("2d").label());
        assertThrows(IllegalArgumentException.class, () -> TimeStep.parse("0h"));
        assertThrows(IllegalArgumentException.class, () -> TimeStep.parse("fortnightly"));
        assertEquals(-1, TimeStep.DAILY.index(-1));
    }
}
