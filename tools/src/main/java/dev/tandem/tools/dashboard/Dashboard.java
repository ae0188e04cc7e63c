package dev.tandem.tools.dashboard;

import dev.tandem.job.config.TandemConfig;
import dev.tandem.models.rain.TimeStep;

import java.time.Duration;

/**
 * {@code tandem dashboard}: the state, the Kafka feed into it, the optional Flink metrics poller and the web
 * server, started together and closed together (also by {@code tandem demo} beside its jobs).
 */
public final class Dashboard implements AutoCloseable {
    private final DashboardState state;
    private final DashboardFeed feed;
    private final FlinkMetrics metrics;
    private final DashboardServer server;

    private Dashboard(DashboardState state, DashboardFeed feed, FlinkMetrics metrics, DashboardServer server) {
        this.state = state;
        this.feed = feed;
        this.metrics = metrics;
        this.server = server;
    }

    /** bootstrap: the Kafka brokers; flinkRest: Flink's REST address for the learning metrics, or null. */
    public static Dashboard start(TandemConfig c, String bootstrap, String flinkRest) {
        DashboardState state = new DashboardState(DashboardLimits.of(c), TimeStep.parse(c.string("rainfall.step")));
        DashboardServer server = DashboardServer.start(state, c.string("local.bind-address"), c.integer("dashboard.port"),
                c.integer("dashboard.push-interval-ms"));
        DashboardFeed feed;
        try {
            feed = new DashboardFeed(bootstrap, c, state);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        FlinkMetrics metrics = flinkRest == null ? null
                : new FlinkMetrics(flinkRest, state, Duration.ofMillis(Math.max(1000, c.integer("dashboard.push-interval-ms"))));
        return new Dashboard(state, feed, metrics, server);
    }

    public String url() {
        return server.url();
    }

    public DashboardState state() {
        return state;
    }

    @Override
    public void close() {
        server.close();
        try {
            if (metrics != null) {
                metrics.close();
            }
            feed.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
