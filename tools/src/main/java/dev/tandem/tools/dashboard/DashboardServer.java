package dev.tandem.tools.dashboard;

import io.javalin.Javalin;
import io.javalin.http.sse.SseClient;
import io.javalin.http.staticfiles.Location;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The web server of {@code tandem dashboard}: the page and its scripts from the classpath (WebJars for uPlot),
 * {@code GET /state} (the state as JSON) and {@code GET /events} (server-sent events: the state every push
 * interval). Read-only: no route changes anything, every other method is refused. Listens on one address
 * ({@code local.bind-address}, 127.0.0.1 unless told otherwise); at most {@link #MAX_CLIENTS} pages at once.
 */
public final class DashboardServer implements AutoCloseable {
    static final int MAX_CLIENTS = 32;
    /** Nothing but this server's own files runs on the page: no inline script, no other origin. */
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";
    private final DashboardState state;
    private final Set<SseClient> clients = ConcurrentHashMap.newKeySet();
    private final Javalin app;
    private final Thread pusher;
    private final String host;
    private volatile boolean running = true;

    private DashboardServer(DashboardState state, String host, int port, long pushMillis) {
        this.state = state;
        this.host = host;
        checkBindable(host, port);
        this.app = Javalin.create(cfg -> {
            cfg.jetty.host = host;
            cfg.jetty.port = port;
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.staticFiles.add(sf -> {
                sf.hostedPath = "/";
                sf.directory = "/dashboard";
                sf.location = Location.CLASSPATH;
            });
            cfg.staticFiles.enableWebjars();
            cfg.routes.before(ctx -> {
                ctx.header("Content-Security-Policy", CSP);
                ctx.header("X-Content-Type-Options", "nosniff");
                ctx.header("Referrer-Policy", "no-referrer");
                ctx.header("Cache-Control", "no-store");
            });
            cfg.routes.get("/state", ctx -> ctx.contentType("application/json; charset=utf-8").result(state.json()));
            cfg.routes.sse("/events", client -> {
                if (clients.size() >= MAX_CLIENTS) {
                    client.close();
                    return;
                }
                client.keepAlive();
                client.onClose(() -> clients.remove(client));
                clients.add(client);
                client.sendEvent("state", state.json());
            });
        });
        app.start();
        this.pusher = new Thread(() -> push(pushMillis), "tandem-dashboard-push");
        pusher.setDaemon(true);
        pusher.start();
    }

    /** Starts the server on host:port (0: a free port). */
    public static DashboardServer start(DashboardState state, String host, int port, long pushMillis) {
        return new DashboardServer(state, host, port, pushMillis);
    }

    /** Fails naming the key when the address cannot be listened on (Javalin's own error names neither). */
    private static void checkBindable(String host, int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(host), port));
        } catch (java.io.IOException e) {
            throw new UncheckedIOException("configuration keys local.bind-address / dashboard.port: cannot listen on "
                    + host + ":" + port + " (" + e.getMessage() + ")", e);
        }
    }

    private void push(long every) {
        long lastUpdates = -1;
        while (running) {
            try {
                Thread.sleep(every);
            } catch (InterruptedException e) {
                return;
            }
            long u = state.updates();
            if (clients.isEmpty()) {
                continue;
            }
            // the same snapshot for every page; none sent when nothing changed (a comment keeps the stream alive)
            String json = u == lastUpdates ? null : state.json();
            lastUpdates = u;
            for (SseClient c : clients) {
                try {
                    if (c.terminated()) {
                        clients.remove(c);
                    } else if (json != null) {
                        c.sendEvent("state", json);
                    } else {
                        c.sendComment("idle");
                    }
                } catch (RuntimeException e) {
                    clients.remove(c);
                }
            }
        }
    }

    public int port() {
        return app.port();
    }

    /** The page's address, e.g. http://127.0.0.1:8089/. */
    public String url() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        if (h.equals("0.0.0.0")) {
            h = "127.0.0.1";
        }
        return "http://" + h + ":" + port() + "/";
    }

    public int clients() {
        return clients.size();
    }

    @Override
    public void close() {
        running = false;
        pusher.interrupt();
        for (SseClient c : clients) {
            try {
                c.close();
            } catch (RuntimeException ignored) {
                // the page went away first
            }
        }
        app.stop();
    }
}
