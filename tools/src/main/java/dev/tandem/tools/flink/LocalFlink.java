package dev.tandem.tools.flink;

import dev.tandem.job.config.TandemConfig;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.NettyShuffleEnvironmentOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * The local Flink mini cluster of {@code run}, {@code demo} and {@code bench}: everything it opens — the REST API,
 * the JobManager's and TaskManagers' RPC, the blob server (it follows the JobManager's bind host) and the data
 * exchange — listens on {@code local.bind-address} (127.0.0.1 by default) instead of every interface, and the REST
 * port is chosen up front so that {@link JobWatch} can ask it how checkpoints fare.
 */
public final class LocalFlink {
    private final Configuration configuration;
    private final String host;
    private final int restPort;

    private LocalFlink(Configuration configuration, String host, int restPort) {
        this.configuration = configuration;
        this.host = host;
        this.restPort = restPort;
    }

    /** A mini-cluster configuration bound to config's local.bind-address. */
    public static LocalFlink of(TandemConfig config) {
        return of(config.string("local.bind-address"));
    }

    public static LocalFlink of(String bindAddress) {
        String host = bindAddress.trim();
        int port = freePort(host);
        Configuration c = new Configuration();
        c.set(RestOptions.BIND_ADDRESS, host);
        c.set(RestOptions.ADDRESS, host);
        c.set(RestOptions.BIND_PORT, Integer.toString(port));
        c.set(RestOptions.PORT, port);
        c.set(JobManagerOptions.BIND_HOST, host); // also the blob server's
        c.set(JobManagerOptions.ADDRESS, host);
        c.set(TaskManagerOptions.BIND_HOST, host);
        c.set(TaskManagerOptions.HOST, host);
        c.set(NettyShuffleEnvironmentOptions.DATA_BIND_PORT, "0");
        return new LocalFlink(c, host, port);
    }

    /** The Flink configuration (add job options to a copy). */
    public Configuration configuration() {
        return new Configuration(configuration);
    }

    /** A local environment on this configuration plus extra. */
    public StreamExecutionEnvironment environment(Configuration extra) {
        Configuration c = configuration();
        if (extra != null) {
            c.addAll(extra);
        }
        return StreamExecutionEnvironment.createLocalEnvironment(c);
    }

    /** http://host:port of the REST API. */
    public String restUrl() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        if (host.equals("0.0.0.0") || host.equals("::")) {
            h = "127.0.0.1";
        }
        return "http://" + h + ":" + restPort;
    }

    public int restPort() {
        return restPort;
    }

    private static int freePort(String host) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("configuration key local.bind-address: cannot listen on '" + host + "'", e);
        }
    }
}
