package dev.tandem.tools.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real headless Chromium (Debian's {@code chromium}) driven over the DevTools protocol with the JDK's own
 * WebSocket client: no browser download, no driver binary. {@link #find} says where the browser is, or why there is
 * none ({@code TANDEM_CHROMIUM} names one explicitly), so a test can skip with that reason.
 */
final class CdpBrowser implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> CANDIDATES = List.of("/usr/bin/chromium", "/usr/bin/chromium-headless-shell",
            "/usr/lib/chromium/chromium", "/usr/bin/google-chrome", "/usr/bin/chromium-browser");
    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    /** The browser executable, or empty with the reason in the message of {@link #missing}. */
    static Optional<Path> find() {
        String env = System.getenv("TANDEM_CHROMIUM");
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        return CANDIDATES.stream().map(Path::of).filter(Files::isExecutable).findFirst();
    }

    /** The browser, or the test is skipped (JUnit assumption) with the reason, printed too so the build log shows it. */
    static Path require() {
        Optional<Path> p = find();
        if (p.isEmpty()) {
            System.err.println("SKIPPED (browser test): " + missing());
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(p.isPresent(), CdpBrowser::missing);
        return p.get();
    }

    static String missing() {
        return "no chromium found (looked at $TANDEM_CHROMIUM and " + CANDIDATES + "); install it with "
                + "`apt-get install -y chromium` (.ci/run does)";
    }

    static CdpBrowser launch(Path executable, int width, int height) throws Exception {
        Path profile = Files.createTempDirectory("tandem-chromium-");
        ProcessBuilder pb = new ProcessBuilder(executable.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--disable-background-networking", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                "--user-data-dir=" + profile, "--window-size=" + width + "," + height, "about:blank");
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        try {
            String ws = devToolsAddress(p, Duration.ofSeconds(30));
            URI browser = URI.create(ws);
            HttpClient http = HttpClient.newHttpClient();
            String list = http.send(HttpRequest.newBuilder(URI.create("http://" + browser.getHost() + ":" + browser.getPort()
                    + "/json/list")).build(), HttpResponse.BodyHandlers.ofString()).body();
            String page = null;
            for (JsonNode t : JSON.readTree(list)) {
                if ("page".equals(t.path("type").asText())) {
                    page = t.path("webSocketDebuggerUrl").asText();
                    break;
                }
            }
            if (page == null) {
                throw new IllegalStateException("chromium has no page target: " + list);
            }
            return new CdpBrowser(p, profile, http, URI.create(page), width, height);
        } catch (Exception e) {
            p.destroyForcibly();
            deleteTree(profile);
            throw e;
        }
    }

    /** Chromium prints "DevTools listening on ws://…" on its standard error once it listens. */
    private static String devToolsAddress(Process p, Duration timeout) throws Exception {
        CompletableFuture<String> found = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                StringBuilder seen = new StringBuilder();
                while ((line = r.readLine()) != null) {
                    int at = line.indexOf("ws://");
                    if (line.contains("DevTools listening on") && at >= 0) {
                        found.complete(line.substring(at).trim());
                    } else if (seen.length() < 4000) {
                        seen.append(line).append('\n');
                    }
                }
                found.completeExceptionally(new IllegalStateException("chromium exited: " + seen));
            } catch (IOException e) {
                found.completeExceptionally(e);
            }
        }, "chromium-stderr");
        t.setDaemon(true);
        t.start();
        return found.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private CdpBrowser(Process process, Path profile, HttpClient http, URI page, int width, int height) throws Exception {
        this.process = process;
        this.profile = profile;
        this.socket = http.newWebSocketBuilder().buildAsync(page, new Listener()).get(10, TimeUnit.SECONDS);
        call("Page.enable", Map.of());
        call("Runtime.enable", Map.of());
        call("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", false));
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder buffer = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            buffer.append(data);
            if (last) {
                String message = buffer.toString();
                buffer.setLength(0);
                try {
                    JsonNode m = JSON.readTree(message);
                    if (m.has("id")) {
                        CompletableFuture<JsonNode> f = pending.remove(m.get("id").asInt());
                        if (f != null) {
                            if (m.has("error")) {
                                f.completeExceptionally(new IllegalStateException("DevTools: " + m.get("error")));
                            } else {
                                f.complete(m.path("result"));
                            }
                        }
                    }
                } catch (IOException e) {
                    // an event we cannot read is not an answer we wait for
                }
            }
            ws.request(1);
            return null;
        }
    }

    JsonNode call(String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        pending.put(id, f);
        ObjectNode m = JSON.createObjectNode().put("id", id).put("method", method);
        m.set("params", JSON.valueToTree(params));
        socket.sendText(JSON.writeValueAsString(m), true).get(10, TimeUnit.SECONDS);
        return f.get(30, TimeUnit.SECONDS);
    }

    void navigate(String url) throws Exception {
        call("Page.navigate", Map.of("url", url));
        waitFor("document.readyState === 'complete'", Duration.ofSeconds(20));
    }

    /** The value of a JavaScript expression in the page (JSON-able values). */
    JsonNode eval(String expression) throws Exception {
        JsonNode r = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
        if (r.has("exceptionDetails")) {
            throw new IllegalStateException("page threw on `" + expression + "`: " + r.get("exceptionDetails"));
        }
        return r.path("result").path("value");
    }

    /** Waits until a JavaScript condition is true in the page; returns whether it became true in time. */
    boolean waitFor(String condition, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (eval("!!(" + condition + ")").asBoolean()) {
                return true;
            }
            Thread.sleep(200);
        }
        return eval("!!(" + condition + ")").asBoolean();
    }

    /** A PNG of the whole page (as tall as its content). */
    byte[] screenshot() throws Exception {
        return Base64.getDecoder().decode(call("Page.captureScreenshot",
                Map.of("format", "png", "captureBeyondViewport", true)).path("data").asText());
    }

    @Override
    public void close() {
        try {
            socket.abort();
        } catch (RuntimeException ignored) {
            // already gone
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteTree(profile);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary profile left behind is not worth failing a test for
        }
    }
}
