package dev.tandem.tools.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.models.rain.TimeStep;
import dev.tandem.operators.common.DeadLetter;
import dev.tandem.operators.gearbox.Alert;
import dev.tandem.operators.gearbox.Prediction;
import dev.tandem.operators.rain.Forecast;
import dev.tandem.operators.rain.WeatherReading;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile names in a real browser: a fleet, machine, fault, region, station and dead-letter reason that are HTML
 * (script and image tags with handlers) show on the page as text, and none of them runs. The state is filled
 * directly (no Kafka): what is tested is the path state → JSON → server-sent event → page.
 */
class DashboardEscapingBrowserTest {
    static final String SCRIPT = "<script>window.__pwned='script'</script>";
    static final String IMG = "<img src=x onerror=\"window.__pwned='img'\">";
    static final String QUOTE = "\"'><svg onload=window.__pwned='svg'>";

    static DashboardState hostileState() {
        DashboardState s = new DashboardState(new DashboardLimits(50, 100, 5), TimeStep.HOURLY);
        for (int i = 0; i < 30; i++) {
            Prediction p = new Prediction();
            p.time = 1_000_000L + i * 1000;
            p.fleet = IMG;
            p.machine = SCRIPT;
            p.classes = new String[] {"healthy", QUOTE};
            p.decision = i % 3 == 0 ? QUOTE : "healthy";
            p.label = "healthy";
            p.confidence = 0.9f;
            p.modelVersion = i;
            s.prediction(p);
        }
        Alert a = new Alert(1_020_000L, SCRIPT, IMG, Alert.RAISED, QUOTE, 0.93f, 5, 17);
        s.alert(a);
        WeatherReading r = new WeatherReading();
        r.time = 3_600_000L * 10 + 5;
        r.station = SCRIPT;
        r.rainMm = 2.5;
        s.reading(r);
        Forecast f = new Forecast();
        f.region = QUOTE;
        f.issuedAt = 3_600_000L * 10;
        f.validAt = f.issuedAt;
        f.validUntil = f.issuedAt + 3_600_000L;
        f.grid = new Forecast.GridSpec(2, 2, -35, 145, 1, 1);
        f.rainMm = new float[][] {{0, 1}, {2, 3}};
        f.stations = new Forecast.StationValue[] {new Forecast.StationValue(SCRIPT, -35, 145, 1.5f)};
        f.modelVersion = 3;
        s.forecast(f);
        s.deadLetter(new DeadLetter(IMG, 0, 7, SCRIPT, QUOTE + SCRIPT, 1_000L));
        return s;
    }

    @Test
    void theServersJsonCarriesNoMarkupCharacter() {
        String json = hostileState().json();
        for (String c : new String[] {"<", ">", "'"}) {
            assertFalse(json.contains(c), "the JSON contains a raw " + c);
        }
        assertTrue(json.contains("\\u003Cscript\\u003E"), json);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void hostileNamesShowAsTextAndNothingRuns() throws Exception {
        Path chromium = CdpBrowser.require();
        DashboardState state = hostileState();
        try (DashboardServer server = DashboardServer.start(state, "127.0.0.1", 0, 200);
             CdpBrowser browser = CdpBrowser.launch(chromium, 1400, 1000)) {
            browser.navigate(server.url());
            assertTrue(browser.waitFor("window.__tandem && window.__tandem.renders > 0", Duration.ofSeconds(20)),
                    "the page never drew the state; errors: " + browser.eval("window.__tandem && window.__tandem.errors"));
            JsonNode errors = browser.eval("window.__tandem.errors");
            assertEquals(0, errors.size(), "page errors: " + errors);
            assertTrue(browser.eval("window.__pwned === undefined").asBoolean(), "a hostile name ran: "
                    + browser.eval("String(window.__pwned)"));
            // only the page's own two scripts; no element made from a name
            assertEquals(2, browser.eval("document.scripts.length").asInt());
            assertEquals(0, browser.eval("document.querySelectorAll('img, svg:not(.u-legend svg), [onerror], [onload]').length").asInt());
            String text = browser.eval("document.body.innerText").asText();
            for (String hostile : new String[] {SCRIPT, IMG}) {
                assertTrue(text.contains(hostile), "the page does not show " + hostile + " as text:\n" + text);
            }
            assertTrue(text.contains("Region " + QUOTE), text);
            assertTrue(text.contains("▲ RAISED"), "an alert is marked by a symbol and a word, not by colour alone:\n" + text);
            assertEquals(1, browser.eval("document.querySelectorAll('#fleets .card').length").asInt());
        }
    }
}
