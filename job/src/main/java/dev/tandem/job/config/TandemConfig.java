package dev.tandem.job.config;

import dev.tandem.models.decision.DecisionSettings;
import dev.tandem.operators.gearbox.AlertSettings;
import dev.tandem.models.gearbox.DecisionPolicy;
import dev.tandem.models.gearbox.FleetSettings;
import dev.tandem.operators.gearbox.WindowFormat;
import dev.tandem.operators.gearbox.ValidationRules;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The job's configuration: the defaults of {@code config/defaults.properties}, then an optional file of overrides
 * ({@code --config FILE}), then {@code --set key=value} pairs, each checked against {@link #KEYS}. An unknown key,
 * a value of the wrong type or out of range, and inconsistent keys fail at start-up with a message naming the key
 * and the allowed values. Immutable and serializable.
 */
public final class TandemConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final List<ConfigKey> KEYS = List.of(
            ConfigKey.nonEmpty("kafka.bootstrap-servers", "Kafka brokers, host:port[,host:port...]"),
            ConfigKey.nonEmpty("kafka.group-id", "consumer group of the job's sources"),
            ConfigKey.choice("kafka.starting-offsets", "where a source without committed offsets starts",
                    "earliest", "latest", "committed"),
            ConfigKey.choice("kafka.security.protocol", "how every Kafka client of the job (sources, sinks, the tools' "
                    + "producers and readers) talks to the brokers", "plaintext", "ssl", "sasl_plaintext", "sasl_ssl"),
            ConfigKey.choice("kafka.sasl.mechanism", "SASL mechanism of sasl_plaintext and sasl_ssl",
                    "scram-sha-512", "scram-sha-256", "plain"),
            ConfigKey.string("kafka.sasl.username", "SASL user (with kafka.sasl.password; or give kafka.sasl.jaas.config)"),
            ConfigKey.secret("kafka.sasl.password", "SASL password of kafka.sasl.username"),
            ConfigKey.secret("kafka.sasl.jaas.config", "a whole JAAS line (Kafka's sasl.jaas.config) instead of "
                    + "kafka.sasl.username and kafka.sasl.password"),
            ConfigKey.string("kafka.ssl.truststore.location", "file of the CA certificates the brokers' certificates are "
                    + "checked against (on every TaskManager); empty: the JVM's default trust store"),
            ConfigKey.secret("kafka.ssl.truststore.password", "password of kafka.ssl.truststore.location"),
            ConfigKey.choice("kafka.ssl.truststore.type", "format of kafka.ssl.truststore.location", "pkcs12", "jks", "pem"),
            ConfigKey.string("kafka.ssl.keystore.location", "the client's own key and certificate, for brokers that "
                    + "require TLS client authentication; empty: none"),
            ConfigKey.secret("kafka.ssl.keystore.password", "password of kafka.ssl.keystore.location"),
            ConfigKey.secret("kafka.ssl.key.password", "password of the key in kafka.ssl.keystore.location"),
            ConfigKey.choice("kafka.ssl.keystore.type", "format of kafka.ssl.keystore.location", "pkcs12", "jks", "pem"),
            ConfigKey.choice("kafka.ssl.endpoint-identification", "https: the broker's certificate must name the host "
                    + "the client connects to; none: any host (only for testing)", "https", "none"),
            ConfigKey.nonEmpty("topics.gearbox-windows", "input topic of vibration windows"),
            ConfigKey.nonEmpty("topics.gearbox-predictions", "output topic of predictions"),
            ConfigKey.nonEmpty("topics.gearbox-alerts", "output topic of alerts"),
            ConfigKey.nonEmpty("topics.dead-letters", "output topic of refused records"),
            ConfigKey.integer("topics.partitions", 1, 1024, "partitions of topics the embedded mode creates"),
            ConfigKey.choice("gearbox.windows.format", "encoding of gearbox-windows values", "json", "binary"),
            ConfigKey.list("gearbox.fleets", "known fleets (empty: any)"),
            ConfigKey.list("gearbox.classes", "class names, the model's outputs"),
            ConfigKey.nonEmpty("gearbox.healthy-class", "the class that means no fault"),
            ConfigKey.integer("gearbox.channels.min", 1, 1024, "fewest channels a window may have"),
            ConfigKey.integer("gearbox.channels.max", 1, 1024, "most channels a window may have"),
            ConfigKey.integer("gearbox.window.min", 8, 1 << 20, "shortest window, samples per channel"),
            ConfigKey.integer("gearbox.window.max", 8, 1 << 20, "longest window, samples per channel"),
            ConfigKey.integer("gearbox.batch", 1, 4096, "labelled windows per optimizer step"),
            ConfigKey.choice("gearbox.optimizer", "optimizer of the fleet models", dev.tandem.learning.optim.Optimizers.NAMES.toArray(new String[0])),
            ConfigKey.decimal("gearbox.learning-rate", 1e-9, 10, "learning rate"),
            ConfigKey.decimal("gearbox.momentum", 0, 0.999, "SGD momentum"),
            ConfigKey.longValue("gearbox.seed", "seed of initial weights"),
            ConfigKey.string("gearbox.initial-model", "Tandem model file (e.g. from `tandem export-model`) a fleet without state starts from, read at job start on the submitting machine; empty: initial weights from `gearbox.seed`"),
            ConfigKey.bool("gearbox.normalize", "normalise each channel of a window to mean 0, sd 1"),
            ConfigKey.bool("gearbox.order-tracking", "resample a window that carries its shaft speed (rpm) to the fleet's"
                    + " reference speed, the first one it saw (docs/GEARBOX.md)"),
            ConfigKey.choice("gearbox.training.mode", "how the fleet model trains: one operator by backprop, or "
                    + "Associated Learning stages", "backprop", "associated"),
            ConfigKey.integer("gearbox.al.components", 1, 6, "AL components L (stage operators) the gearbox network is cut into"),
            ConfigKey.list("gearbox.al.blocks", "blocks of the gearbox network per AL component, in order, e.g. 1,1,1,3 "
                    + "(the cut bench w6 balances by measured cost); empty: the even cut"),
            ConfigKey.integer("gearbox.al.label-width", 1, 4096, "width of the AL label embeddings t_l"),
            ConfigKey.choice("gearbox.al.first-decoder-loss", "loss of h_1 against y", "cross-entropy", "mse"),
            ConfigKey.choice("gearbox.al.optimizer", "optimizer of both AL local losses",
                    dev.tandem.learning.al.AlOptimizers.NAMES.toArray(new String[0])),
            ConfigKey.decimal("gearbox.al.learning-rate", 1e-9, 10, "learning rate of the association loss (f_l, b_l)"),
            ConfigKey.decimal("gearbox.al.autoencoder-learning-rate", 1e-9, 10,
                    "learning rate of the autoencoder loss (g_l, h_l)"),
            ConfigKey.integer("gearbox.al.snapshot-every", 0, 1_000_000,
                    "stage updates between published decoder snapshots (0: never, initial decoders)"),
            ConfigKey.integer("gearbox.al.slot-groups", 0, 64,
                    "slot sharing groups the AL stages are spread over (0 or 1: all in the default group)"),
            ConfigKey.choice("gearbox.decision.algorithm", "decision stage reading the softmax vector (none: argmax)",
                    "none", "svm", "mlp"),
            ConfigKey.integer("gearbox.decision.reservoir", 2, 1_000_000, "labelled (softmax, label) pairs it keeps"),
            ConfigKey.choice("gearbox.decision.features", "decision-stage input", "probabilities", "log"),
            ConfigKey.decimal("gearbox.decision.svm.c", 1e-6, 1e6, "the SVM's C"),
            ConfigKey.decimal("gearbox.decision.svm.gamma", 0, 1e6, "the RBF kernel's gamma (0: 1/classes)"),
            ConfigKey.integer("gearbox.decision.svm.retrain-every", 1, 1_000_000, "new pairs between SVM trainings"),
            ConfigKey.integer("gearbox.decision.mlp.hidden", 1, 4096, "hidden units of the MLP decision stage"),
            ConfigKey.decimal("gearbox.decision.mlp.learning-rate", 1e-9, 10, "Adam learning rate of the MLP"),
            ConfigKey.integer("gearbox.decision.mlp.batch", 1, 4096, "new pairs per MLP update, its minibatch"),
            ConfigKey.integer("gearbox.decision.mlp.steps", 1, 1000, "Adam steps per MLP update"),
            ConfigKey.bool("gearbox.decision.freeze", "freeze the base network when the decision stage is accurate"),
            ConfigKey.integer("gearbox.decision.freeze.window", 1, 1_000_000, "labelled decisions the accuracy is over"),
            ConfigKey.decimal("gearbox.decision.freeze.at", 0, 1, "accuracy that freezes the base network"),
            ConfigKey.decimal("gearbox.decision.freeze.unfreeze-below", 0, 1, "accuracy under which it trains again"),
            ConfigKey.integer("alert.k", 1, 100_000, "consecutive faulty windows that raise an alert"),
            ConfigKey.decimal("alert.confidence", 0, 1, "confidence a faulty window needs to count"),
            ConfigKey.integer("alert.clear-windows", 1, 100_000, "consecutive healthy windows that clear an alert"),
            ConfigKey.integer("alert.state-ttl-hours", 0, 100_000, "idle hours before a machine's alert state expires"),
            ConfigKey.integer("state.idle-ttl-minutes", 0, 5_256_000,
                    "idle minutes (processing time without a write) before a fleet's model, a region's rasterizer and trainer state and a machine's alert state expire; a machine's is the shorter of this and `alert.state-ttl-hours` (0: models and regions kept for ever)"),
            ConfigKey.integer("dead-letters.raw-max-bytes", 0, 1 << 20, "bytes of a refused record kept"),
            ConfigKey.integer("job.parallelism", 1, 1024, "parallelism of the job"),
            ConfigKey.integer("job.checkpoint-interval-ms", 100, 3_600_000, "checkpoint interval"),
            ConfigKey.nonEmpty("job.transactional-id-prefix", "prefix of the sinks' Kafka transactional ids"),
            ConfigKey.integer("job.transaction-timeout-ms", 1000, 3_600_000, "Kafka producer transaction timeout"),
            ConfigKey.integer("job.sink-linger-ms", 0, 1000, "how long the output topics' producers wait to fill a batch"),
            ConfigKey.integer("job.watermark-out-of-orderness-ms", 0, 86_400_000, "bounded out-of-orderness of event time"),
            ConfigKey.integer("job.source-idle-timeout-ms", 0, 86_400_000, "idleness of a quiet parallel instance, after which it stops holding the watermark (0: never)"),
            ConfigKey.integer("job.max-ahead-ms", 0, 2_000_000_000,
                    "a valid record more than this ahead of the watermark is a dead letter `future:` and does not move event time (0 or more than `job.watermark-out-of-orderness-ms`; 0: two `rainfall.step` lengths + the out-of-orderness for the rainfall job, one day + it for the gearbox job)"),
            ConfigKey.integer("job.max-behind-ms", -1, 2_000_000_000,
                    "a valid record more than this behind the watermark is a dead letter `past:` (0: one day + `job.watermark-out-of-orderness-ms` for the gearbox job, none for the rainfall job, whose rasterizer refuses readings of closed steps as `late:`; -1: none)"),
            ConfigKey.integer("job.future-resync-after", 0, 1_000_000,
                    "consecutive future records within `job.max-ahead-ms` of one another that are taken as the stream's new time, the last one accepted (a hole in the data); 0: never"),
            ConfigKey.integer("records.max-bytes", 1, 64 << 20, "largest record value in bytes, as the consumer hands it over (after decompression); larger: dead letter `too large:`"),
            ConfigKey.integer("records.max-fields", 1, 1_000_000, "most JSON fields in one record, nested ones in ignored values included"),
            ConfigKey.integer("records.max-string-length", 16, 1 << 24, "longest JSON string (and field name, up to 1024) in characters"),
            ConfigKey.integer("records.max-number-length", 16, 10_000, "longest JSON number in characters"),
            ConfigKey.integer("records.max-nesting", 2, 1000, "deepest nesting of JSON objects and arrays"),
            ConfigKey.integer("records.max-array-length", 1, 1 << 24, "longest JSON array other than a vibration channel (`gearbox.window.max`) and the channel list (`gearbox.channels.max`)"),
            ConfigKey.integer("records.max-id-length", 1, 1024, "longest identifier: machine, fleet, station, feature name (character set in docs/HARDENING.md)"),
            ConfigKey.integer("records.max-clock-ahead-ms", 0, 2_000_000_000,
                    "most a record's time may be after the wall clock; later: dead letter `future:`"),
            ConfigKey.choice("job.state-backend", "where keyed state lives between checkpoints", "hashmap", "rocksdb"),
            ConfigKey.choice("job.checkpoint-storage", "where checkpoints are written (jobmanager: its heap, at most 5 MB per state)",
                    "filesystem", "jobmanager"),
            ConfigKey.string("job.checkpoint-dir", "checkpoint directory URI (execution.checkpointing.dir); empty: "
                    + "<java.io.tmpdir>/tandem-checkpoints for local runs, the cluster's execution.checkpointing.dir on a cluster"),
            ConfigKey.bool("job.incremental-checkpoints", "incremental checkpoints where the state backend allows it (rocksdb)"),
            ConfigKey.integer("job.checkpoints-retained", 1, 100, "completed checkpoints kept"),
            ConfigKey.integer("job.checkpoint-tolerable-failures", 0, 1000, "consecutive failed checkpoints before the job restarts"),
            ConfigKey.nonEmpty("local.bind-address", "address the local Flink mini cluster, the embedded Kafka broker and the dashboard listen on"),
            ConfigKey.integer("dashboard.port", 0, 65535, "port of tandem dashboard's page (0: a free port, printed)"),
            ConfigKey.integer("dashboard.push-interval-ms", 100, 60000, "how often the dashboard pushes the state to the page"),
            ConfigKey.integer("dashboard.max-keys", 1, 100000, "most regions, fleets, machines per fleet, stations, dead-letter reasons and metrics the dashboard keeps (least recently updated dropped)"),
            ConfigKey.integer("dashboard.history", 10, 100000, "points kept per learning curve"),
            ConfigKey.integer("dashboard.forecasts", 1, 1000, "forecasts kept per region (the time slider's range)"),
            ConfigKey.choice("compute.backend", "compute backend", "auto", "java", "nd4j", "cuda"),
            ConfigKey.decimal("training.gradient-clip-norm", 0, 1e12, "largest global L2 norm of a training step's gradients, larger ones scaled down to it, for every optimizer of every model (0: off; docs/NUMERICAL-FAULTS.md)"),
            ConfigKey.decimal("training.gradient-clip-value", 0, 1e12, "largest absolute value of a gradient element, larger ones clipped to it before the norm clip (0: off)"),
            ConfigKey.integer("training.max-consecutive-faults", 1, 1_000_000, "updates refused in a row for non-finite values (input, loss, gradient or result) after which a model's fault goes to the dead letters as `numerical:` (and again at every multiple)"),
            ConfigKey.integer("replay.window", 8, 1 << 20, "window length when recordings are cut"),
            ConfigKey.integer("replay.hop", 1, 1 << 20, "hop between window starts when recordings are cut"),
            ConfigKey.nonEmpty("topics.weather-readings", "input topic of weather-station readings"),
            ConfigKey.nonEmpty("topics.rain-forecasts", "output topic of rainfall forecasts"),
            ConfigKey.nonEmpty("rainfall.region", "name of the region every accepted reading belongs to"),
            ConfigKey.list("rainfall.bbox", "the region's box latMin,latMax,lonMin,lonMax (empty: no bounds)"),
            ConfigKey.decimal("rainfall.resolution", 0, 90, "grid resolution in degrees over rainfall.bbox (0: grid from the stations)"),
            ConfigKey.integer("rainfall.grid.max-side", 1, 512, "most rows and columns of a grid built from the stations"),
            ConfigKey.nonEmpty("rainfall.step", "time step of a frame: hourly, daily, monthly, <n>min, <n>h, <n>d"),
            ConfigKey.integer("rainfall.allowed-lateness-ms", 0, 7 * 86_400_000, "event time after a step's end during which late readings still count"),
            ConfigKey.decimal("rainfall.rain-max-mm", 0.001, 100_000, "largest rain_mm a reading may carry"),
            ConfigKey.list("rainfall.features", "features of a frame, rain_mm first (empty: rain_mm and the standard fields present)"),
            ConfigKey.decimal("rainfall.idw-power", 0.1, 10, "inverse-distance weighting power"),
            ConfigKey.decimal("rainfall.idw-radius-cells", 0.1, 1000, "inverse-distance weighting radius, in cells"),
            ConfigKey.integerOrAuto("rainfall.window", 1, 256, "frames in a forecaster's input window (T); auto: the frames that cover 4 days (the synoptic time scale), at least 3 and at most 24 (docs/RAINFALL.md, \"Defaults that adapt to the data\")"),
            ConfigKey.integer("rainfall.horizon", 1, 256, "steps ahead of the last observed step that a forecast is for (k)"),
            ConfigKey.choice("rainfall.optimizer", "optimizer of the forecaster", dev.tandem.learning.optim.Optimizers.NAMES.toArray(new String[0])),
            ConfigKey.decimal("rainfall.learning-rate", 1e-9, 10, "learning rate (every optimizer but yamadam); fixed, not chosen from the data: the inputs are standardised and, with rainfall.rain-scale=auto, the targets have a mean square near 1, so one step size suits every network"),
            ConfigKey.decimal("rainfall.momentum", 0, 0.999, "momentum (s-sgd, sgd, lrsgd-c, lrsgd-r)"),
            ConfigKey.integer("rainfall.ssgd.population", 1, 1024, "S-SGD salps"),
            ConfigKey.decimal("rainfall.ssgd.window", 1e-9, 100, "S-SGD search window r around the weights"),
            ConfigKey.integer("rainfall.ssgd.horizon", 1, 100_000_000, "S-SGD steps over which c1 decays"),
            ConfigKey.integer("rainfall.ssgd.plateau-patience", 0, 100_000_000, "S-SGD steps without improvement before the swarm restarts (0: never)"),
            ConfigKey.list("rainfall.hidden", "hidden channels of each ConvLSTM layer"),
            ConfigKey.list("rainfall.kernels", "kernel size of each ConvLSTM layer (odd)"),
            ConfigKey.integer("rainfall.batch", 1, 1024, "examples per optimizer step (the newest + replayed ones)"),
            ConfigKey.integerOrAuto("rainfall.replay", 1, 100_000, "recent examples kept for mini-batches (>= rainfall.batch); auto: one year of steps, at least 64, at most 4096 and at most 256 MiB of examples per region"),
            ConfigKey.integer("rainfall.steps-per-learn", 1, 100, "optimizer steps per frame"),
            ConfigKey.decimalOrAuto("rainfall.rain-scale", 1e-6, 1e6, "mm per unit of the model's output; auto: the root mean square of the rain the region's stations report in its first frames (until 50 wet readings; dry ones count as 0; amounts clipped at 10 x the median wet one), bounded to [0.1, 1000] mm, then frozen in the region's state"),
            ConfigKey.longValue("rainfall.seed", "seed of the forecaster's initial weights and draws"),
            ConfigKey.string("rainfall.initial-model", "Tandem model file (e.g. from `tandem export-model`) a region's ConvLSTM without state starts from, read at job start on the submitting machine; empty: initial weights from `rainfall.seed`"),
            ConfigKey.decimal("rainfall.rain-threshold-mm", 0.001, 10_000, "rain amount (mm) whose probability a forecast carries (rain >= it)"));

    public static final String DEFAULTS_RESOURCE = "config/defaults.properties";
    /** Largest configuration file read (it is parsed whole; docs/HARDENING.md). */
    public static final long MAX_FILE_BYTES = 1 << 20;

    private final Map<String, Object> values;
    private final Map<String, String> raw;

    private TandemConfig(Map<String, Object> values, Map<String, String> raw) {
        this.values = Collections.unmodifiableMap(values);
        this.raw = Collections.unmodifiableMap(raw);
    }

    /**
     * The configuration of a job's {@code main} on a cluster: {@code --config FILE} (at most once) and any number of
     * {@code --set key=value}, applied like {@link #load(Path, List)}.
     */
    public static TandemConfig fromArgs(String[] args) throws IOException {
        Path file = null;
        List<String> sets = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if ((a.equals("--config") || a.equals("--set")) && i + 1 == args.length) {
                throw new IllegalArgumentException(a + " needs a value; use --config FILE, --set key=value");
            }
            switch (a) {
                case "--config" -> file = Path.of(args[++i]);
                case "--set" -> sets.add(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + a + "; use --config FILE, --set key=value");
            }
        }
        return load(file, sets);
    }

    /** The defaults, overridden by the file (may be null) and by key=value pairs. */
    public static TandemConfig load(Path overrides, List<String> sets) throws IOException {
        List<Path> files = new ArrayList<>();
        if (overrides != null) {
            files.add(overrides);
        }
        return load(files, sets);
    }

    /** The defaults, overridden by each file in turn, then by key=value pairs. */
    public static TandemConfig load(List<Path> files, List<String> sets) throws IOException {
        Map<String, String> raw = new LinkedHashMap<>(readDefaults());
        for (Path overrides : files) {
            if (!Files.isRegularFile(overrides)) {
                throw new IOException("configuration file " + overrides + " does not exist");
            }
            if (Files.size(overrides) > MAX_FILE_BYTES) {
                throw new IOException("configuration file " + overrides + " is " + Files.size(overrides)
                        + " bytes; allowed: at most " + MAX_FILE_BYTES + " (a configuration is a few kilobytes)");
            }
            try (Reader r = Files.newBufferedReader(overrides, StandardCharsets.UTF_8)) {
                Properties p = new Properties();
                try {
                    p.load(r);
                } catch (IllegalArgumentException e) {
                    // found by fuzzing: a malformed \\uxxxx escape failed with Properties' bare message
                    throw new IOException("configuration file " + overrides + ": " + e.getMessage()
                            + " (a backslash-u escape needs 4 hexadecimal digits)", e);
                }
                for (String k : p.stringPropertyNames()) {
                    put(raw, k, p.getProperty(k), "in " + overrides);
                }
            }
        }
        return withSets(raw, sets);
    }

    /** The defaults with key=value pairs applied. */
    public static TandemConfig defaults(String... sets) {
        try {
            return load(List.<Path>of(), List.of(sets));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** This configuration with more key=value pairs applied. */
    public TandemConfig with(String... sets) {
        return withSets(new LinkedHashMap<>(raw), List.of(sets));
    }

    private static TandemConfig withSets(Map<String, String> raw, List<String> sets) {
        try {
            return checked(raw, sets);
        } catch (IllegalArgumentException e) {
            String clean = ConfigKey.withoutControls(e.getMessage());
            if (clean != null && clean.equals(e.getMessage())) {
                throw e;
            }
            throw new IllegalArgumentException(clean, e);
        }
    }

    private static TandemConfig checked(Map<String, String> raw, List<String> sets) {
        for (String s : sets == null ? List.<String>of() : sets) {
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--set needs key=value, got '" + ConfigKey.quoted(s) + "'");
            }
            put(raw, s.substring(0, eq).trim(), s.substring(eq + 1), "in --set");
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (ConfigKey k : KEYS) {
            String v = raw.get(k.name());
            if (v == null) {
                throw new IllegalArgumentException("configuration key " + k.name() + " has no value (defaults file incomplete)");
            }
            values.put(k.name(), k.check(v));
        }
        TandemConfig c = new TandemConfig(values, raw);
        c.crossCheck();
        return c;
    }

    private static void put(Map<String, String> raw, String key, String value, String where) {
        if (key(key) == null) {
            throw new IllegalArgumentException("unknown configuration key '" + ConfigKey.quoted(key) + "' " + where + "; known keys: "
                    + String.join(", ", KEYS.stream().map(ConfigKey::name).toList()));
        }
        raw.put(key, value);
    }

    /** A file of config/ (under tandem.home, else on the classpath), e.g. {@code demo.properties}. */
    public static Path bundled(String name) throws IOException {
        String home = System.getProperty("tandem.home");
        Path file = home == null ? null : Path.of(home, "config", name);
        if (file != null && Files.isRegularFile(file)) {
            return file;
        }
        try (InputStream in = TandemConfig.class.getClassLoader().getResourceAsStream("config/" + name)) {
            if (in == null) {
                throw new IOException("cannot find config/" + name);
            }
            Path tmp = Files.createTempFile("tandem-", "-" + name);
            tmp.toFile().deleteOnExit();
            Files.write(tmp, in.readAllBytes());
            return tmp;
        }
    }

    private static Map<String, String> readDefaults() throws IOException {
        Properties p = new Properties();
        String home = System.getProperty("tandem.home");
        Path file = home == null ? null : Path.of(home, DEFAULTS_RESOURCE);
        if (file != null && Files.isRegularFile(file)) {
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            }
        } else {
            try (InputStream in = TandemConfig.class.getClassLoader().getResourceAsStream(DEFAULTS_RESOURCE)) {
                if (in == null) {
                    throw new IOException("cannot find " + DEFAULTS_RESOURCE + " (neither under tandem.home nor on the classpath)");
                }
                p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String k : p.stringPropertyNames()) {
            put(out, k, p.getProperty(k), "in " + DEFAULTS_RESOURCE);
        }
        return out;
    }

    public static ConfigKey key(String name) {
        for (ConfigKey k : KEYS) {
            if (k.name().equals(name)) {
                return k;
            }
        }
        return null;
    }

    private void crossCheck() {
        if (classes().size() < 2) {
            throw new IllegalArgumentException("invalid value '" + ConfigKey.quoted(raw.get("gearbox.classes"))
                    + "' for configuration key gearbox.classes; allowed: at least 2 distinct class names");
        }
        if (classes().stream().distinct().count() != classes().size()) {
            throw new IllegalArgumentException("configuration key gearbox.classes lists a class twice: " + classes());
        }
        if (!classes().contains(string("gearbox.healthy-class"))) {
            throw new IllegalArgumentException("invalid value '" + ConfigKey.quoted(string("gearbox.healthy-class"))
                    + "' for configuration key gearbox.healthy-class; allowed: one of gearbox.classes ("
                    + String.join(", ", classes()) + ")");
        }
        if (integer("gearbox.channels.min") > integer("gearbox.channels.max")) {
            throw new IllegalArgumentException("gearbox.channels.min (" + integer("gearbox.channels.min")
                    + ") must not exceed gearbox.channels.max (" + integer("gearbox.channels.max") + ")");
        }
        if (integer("gearbox.window.min") > integer("gearbox.window.max")) {
            throw new IllegalArgumentException("gearbox.window.min (" + integer("gearbox.window.min")
                    + ") must not exceed gearbox.window.max (" + integer("gearbox.window.max") + ")");
        }
        if (associatedLearning() && !string("gearbox.decision.algorithm").equals("none")) {
            throw new IllegalArgumentException("gearbox.decision.algorithm = " + string("gearbox.decision.algorithm")
                    + " needs gearbox.training.mode = backprop; allowed with associated: none");
        }
        alBlocks(); // as many groups as gearbox.al.components, summing to the network's blocks
        decisionPolicy(); // unfreeze-below must not exceed freeze.at
        dev.tandem.job.kafka.KafkaClientSecurity.check(this);
        recordLimits();
        checkIdentifiers("rainfall.region", List.of(string("rainfall.region")));
        checkIdentifiers("gearbox.fleets", list("gearbox.fleets"));
        checkIdentifiers("rainfall.features", list("rainfall.features"));
        long ahead = integer("job.max-ahead-ms");
        if (ahead > 0 && ahead <= integer("job.watermark-out-of-orderness-ms")) {
            throw new IllegalArgumentException("invalid value '" + ahead + "' for configuration key job.max-ahead-ms;"
                    + " allowed: 0 (automatic) or more than job.watermark-out-of-orderness-ms ("
                    + integer("job.watermark-out-of-orderness-ms") + "), else records just ahead of the watermark are refused");
        }
        weatherRules();
        rasterSettings();
        regionSettings();
        initialModel("gearbox.initial-model");
        initialModel("rainfall.initial-model");
        for (boolean rainfall : new boolean[] {true, false}) {
            try {
                eventTimeGate(rainfall);
            } catch (IllegalArgumentException e) {
                // found by fuzzing: a configuration that loaded could not build the gate of its jobs
                throw new IllegalArgumentException("job.max-ahead-ms (" + integer("job.max-ahead-ms") + ", rainfall.step "
                        + string("rainfall.step") + ", job.watermark-out-of-orderness-ms "
                        + integer("job.watermark-out-of-orderness-ms") + ") gives no usable event-time bound: " + e.getMessage(), e);
            }
        }
        if (integer("job.transaction-timeout-ms") <= integer("job.checkpoint-interval-ms")) {
            throw new IllegalArgumentException("job.transaction-timeout-ms (" + integer("job.transaction-timeout-ms")
                    + ") must exceed job.checkpoint-interval-ms (" + integer("job.checkpoint-interval-ms") + ")");
        }
    }

    /** Names that become record fields, state keys or Kafka keys must be {@link dev.tandem.operators.common.Identifiers}. */
    private void checkIdentifiers(String key, List<String> ids) {
        for (String id : ids) {
            String p = dev.tandem.operators.common.Identifiers.problem("name", id, integer("records.max-id-length"));
            if (p != null) {
                throw new IllegalArgumentException("invalid value '" + ConfigKey.quoted(raw.get(key).trim()) + "' for configuration key "
                        + key + "; allowed: identifiers of " + dev.tandem.operators.common.Identifiers.ALLOWED
                        + ", at most records.max-id-length characters (" + p + ")");
            }
        }
    }

    public String string(String key) {
        return (String) get(key);
    }

    public int integer(String key) {
        return (Integer) get(key);
    }

    public long longValue(String key) {
        return (Long) get(key);
    }

    public double decimal(String key) {
        return (Double) get(key);
    }

    public boolean bool(String key) {
        return (Boolean) get(key);
    }

    @SuppressWarnings("unchecked")
    public List<String> list(String key) {
        return (List<String>) get(key);
    }

    private Object get(String key) {
        Object v = values.get(key);
        if (v == null && !values.containsKey(key)) {
            throw new IllegalArgumentException("unknown configuration key '" + key + "'");
        }
        return v;
    }

    /** What a secret's value is printed as (an empty secret stays empty: "not set" is no secret). */
    public static final String MASK = "******";

    /** Every key with its effective value, in declaration order; secrets masked. */
    public Map<String, String> effective() {
        Map<String, String> out = new LinkedHashMap<>();
        for (ConfigKey k : KEYS) {
            out.put(k.name(), printable(k));
        }
        return out;
    }

    /**
     * The keys that differ from the defaults, as {@code key=value, ...}, secrets masked: what a job logs at start
     * (the full list is {@link #effective}).
     */
    public String describe() {
        TandemConfig d = defaults();
        List<String> parts = new ArrayList<>();
        for (String name : overriddenKeys(d)) {
            parts.add(name + "=" + printable(key(name)));
        }
        return parts.isEmpty() ? "(the defaults)" : String.join(", ", parts);
    }

    private String printable(ConfigKey k) {
        String v = raw.get(k.name()).trim();
        return k.secret() && !v.isEmpty() ? MASK : v;
    }

    /** No secret in a serialized job graph's or a debugger's string form. */
    @Override
    public String toString() {
        return "TandemConfig[" + describe() + "]";
    }

    public List<String> classes() {
        return list("gearbox.classes");
    }

    public ValidationRules validationRules() {
        return new ValidationRules(WindowFormat.parse(string("gearbox.windows.format")), integer("gearbox.channels.min"),
                integer("gearbox.channels.max"), integer("gearbox.window.min"), integer("gearbox.window.max"),
                list("gearbox.fleets"), classes(), integer("dead-letters.raw-max-bytes"));
    }

    /**
     * The model file a key without state starts from ({@code gearbox.initial-model}, {@code rainfall.initial-model}),
     * read now; null when the key is empty.
     */
    public dev.tandem.learning.io.ModelSeed initialModel(String key) {
        String file = string(key);
        if (file.isEmpty()) {
            return null;
        }
        try {
            return dev.tandem.learning.io.ModelSeed.read(Path.of(file));
        } catch (java.io.IOException | RuntimeException e) {
            throw new IllegalArgumentException("invalid value '" + ConfigKey.quoted(String.valueOf(file)) + "' for configuration key " + key
                    + "; allowed: empty, or a readable Tandem model file (" + e.getMessage() + ")", e);
        }
    }

    public FleetSettings fleetSettings() {
        return new FleetSettings(classes(), integer("gearbox.batch"), string("gearbox.optimizer"),
                decimal("gearbox.learning-rate"), decimal("gearbox.momentum"), longValue("gearbox.seed"),
                bool("gearbox.normalize"), string("compute.backend"), bool("gearbox.order-tracking"),
                trainingGuard());
    }

    /** The numerical guard of every model's training steps ({@code training.*}). */
    public dev.tandem.learning.optim.TrainingGuard trainingGuard() {
        return new dev.tandem.learning.optim.TrainingGuard(new dev.tandem.learning.optim.GradientClipping(
                decimal("training.gradient-clip-norm"), decimal("training.gradient-clip-value")),
                integer("training.max-consecutive-faults"));
    }

    /** {@code gearbox.training.mode}: backprop (one fleet trainer operator) or associated (AL stage operators). */
    public boolean associatedLearning() {
        return string("gearbox.training.mode").equals("associated");
    }

    /** How a fleet learns in associated mode ({@code gearbox.al.*} and the shared {@code gearbox.*} keys). */
    public dev.tandem.operators.gearbox.AlFleetSettings alFleetSettings() {
        return new dev.tandem.operators.gearbox.AlFleetSettings(classes(), integer("gearbox.batch"),
                bool("gearbox.normalize"), longValue("gearbox.seed"), string("compute.backend"),
                integer("gearbox.al.components"), alBlocks(), integer("gearbox.al.label-width"),
                string("gearbox.al.first-decoder-loss").equals("mse") ? dev.tandem.learning.al.DecoderLoss.MSE
                        : dev.tandem.learning.al.DecoderLoss.SOFTMAX_CROSS_ENTROPY,
                string("gearbox.al.optimizer"), decimal("gearbox.al.learning-rate"),
                decimal("gearbox.al.autoencoder-learning-rate"), integer("gearbox.al.snapshot-every"),
                integer("gearbox.al.slot-groups"), trainingGuard());
    }

    /**
     * {@code gearbox.al.blocks}: blocks per component (L positive integers summing to the network's 6 blocks), or
     * null for the even cut when the list is empty.
     */
    int[] alBlocks() {
        List<String> v = list("gearbox.al.blocks");
        if (v.isEmpty()) {
            return null;
        }
        int components = integer("gearbox.al.components");
        int blocks = dev.tandem.operators.gearbox.AlGearboxArchitecture.BLOCKS;
        String allowed = "empty (the even cut) or " + components + " positive integers (gearbox.al.components) summing to "
                + blocks + ", e.g. " + String.join(",", java.util.Collections.nCopies(components, "1")).replaceFirst(
                        "1$", Integer.toString(blocks - components + 1));
        int[] g = new int[v.size()];
        int sum = 0;
        for (int i = 0; i < g.length; i++) {
            try {
                g[i] = Integer.parseInt(v.get(i).trim());
            } catch (NumberFormatException e) {
                g[i] = 0;
            }
            if (g[i] < 1) {
                g = null;
                break;
            }
            sum += g[i];
        }
        if (g == null || g.length != components || sum != blocks) {
            throw new IllegalArgumentException("invalid value '" + ConfigKey.quoted(String.join(",", v))
                    + "' for configuration key gearbox.al.blocks; allowed: " + allowed);
        }
        return g;
    }

    /** The decision stage and freeze policy of the fleet trainer ({@code gearbox.decision.*}). */
    public DecisionPolicy decisionPolicy() {
        DecisionSettings d = new DecisionSettings(string("gearbox.decision.algorithm"),
                integer("gearbox.decision.reservoir"), string("gearbox.decision.features"), longValue("gearbox.seed"),
                decimal("gearbox.decision.svm.c"), decimal("gearbox.decision.svm.gamma"),
                integer("gearbox.decision.svm.retrain-every"), integer("gearbox.decision.mlp.hidden"),
                decimal("gearbox.decision.mlp.learning-rate"), integer("gearbox.decision.mlp.batch"),
                integer("gearbox.decision.mlp.steps"));
        return new DecisionPolicy(d, bool("gearbox.decision.freeze"), integer("gearbox.decision.freeze.window"),
                decimal("gearbox.decision.freeze.at"), decimal("gearbox.decision.freeze.unfreeze-below"));
    }

    public AlertSettings alertSettings() {
        return new AlertSettings(integer("alert.k"), decimal("alert.confidence"), integer("alert.clear-windows"),
                string("gearbox.healthy-class"));
    }

    public Duration alertStateTtl() {
        return dev.tandem.operators.common.IdleStateTtl.shorter(Duration.ofHours(integer("alert.state-ttl-hours")), stateIdleTtl());
    }

    /** {@code state.idle-ttl-minutes}: the idle time after which a fleet's, a region's keyed state expires (zero: never). */
    public Duration stateIdleTtl() {
        return Duration.ofMinutes(integer("state.idle-ttl-minutes"));
    }

    public WindowFormat windowFormat() {
        return WindowFormat.parse(string("gearbox.windows.format"));
    }

    /** {@code rainfall.bbox} as {latMin, latMax, lonMin, lonMax}, or null when empty. */
    public double[] rainfallBbox() {
        List<String> b = list("rainfall.bbox");
        if (b.isEmpty()) {
            return null;
        }
        try {
            double[] out = b.stream().mapToDouble(Double::parseDouble).toArray();
            if (out.length == 4 && out[0] < out[1] && out[2] < out[3] && out[0] >= -90 && out[1] <= 90
                    && out[2] >= -180 && out[3] <= 180) {
                return out;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("invalid value '" + ConfigKey.quoted(raw.get("rainfall.bbox").trim())
                + "' for configuration key rainfall.bbox; allowed: empty or latMin,latMax,lonMin,lonMax with min < max "
                + "inside [-90, 90] x [-180, 180]");
    }

    private int[] intList(String key) {
        List<String> l = list(key);
        try {
            int[] out = l.stream().mapToInt(Integer::parseInt).toArray();
            if (out.length > 0 && java.util.Arrays.stream(out).allMatch(v -> v >= 1 && v <= 1024)) {
                return out;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("invalid value '" + ConfigKey.quoted(raw.get(key).trim()) + "' for configuration key " + key
                + "; allowed: a comma-separated list of integers in [1, 1024], one per ConvLSTM layer");
    }

    private static IllegalArgumentException named(String key, IllegalArgumentException e) {
        return e.getMessage() != null && e.getMessage().contains(key) ? e
                : new IllegalArgumentException("configuration key " + key + ": " + e.getMessage(), e);
    }

    /** The bounds on a record ({@code records.*}). */
    public dev.tandem.operators.common.RecordLimits recordLimits() {
        return new dev.tandem.operators.common.RecordLimits(integer("records.max-bytes"), integer("records.max-fields"),
                integer("records.max-string-length"), integer("records.max-number-length"), integer("records.max-nesting"),
                integer("records.max-array-length"), integer("records.max-id-length"),
                integer("records.max-clock-ahead-ms"));
    }

    /**
     * {@code job.max-ahead-ms}, or when 0 its default for the job: for the rainfall job two time steps
     * ({@code rainfall.step}; a month counts 31 days) plus the out-of-orderness, so a reading of the step after
     * next is still accepted; for the gearbox job, which has no event-time logic of its own, one day.
     */
    public long maxAheadMs(boolean rainfall) {
        long set = integer("job.max-ahead-ms");
        if (set > 0) {
            return set;
        }
        if (!rainfall) {
            return 86_400_000L + integer("job.watermark-out-of-orderness-ms");
        }
        dev.tandem.models.rain.TimeStep step = rasterSettings().timeStep();
        long len = step.monthly() ? 31 * dev.tandem.models.rain.TimeStep.DAY : step.millis();
        return 2 * len + integer("job.watermark-out-of-orderness-ms");
    }

    /** The event-time gate of a job's parse operator (a fresh one: it holds state). */
    public dev.tandem.operators.common.EventTimeGate eventTimeGate(boolean rainfall) {
        return new dev.tandem.operators.common.EventTimeGate(integer("job.watermark-out-of-orderness-ms"),
                maxAheadMs(rainfall), integer("job.future-resync-after"), maxBehindMs(rainfall));
    }

    /**
     * {@code job.max-behind-ms}, or when 0 its default for the job: for the gearbox job, which has no event-time
     * logic of its own, one day plus the out-of-orderness; none (0) for the rainfall job, whose rasterizer refuses
     * a reading of a closed step as late. -1: none.
     */
    public long maxBehindMs(boolean rainfall) {
        long set = integer("job.max-behind-ms");
        if (set > 0) {
            return set;
        }
        return set < 0 || rainfall ? 0 : 86_400_000L + integer("job.watermark-out-of-orderness-ms");
    }

    public dev.tandem.operators.rain.WeatherRules weatherRules() {
        return new dev.tandem.operators.rain.WeatherRules(string("rainfall.region"), rainfallBbox(),
                decimal("rainfall.rain-max-mm"), integer("dead-letters.raw-max-bytes"));
    }

    public dev.tandem.operators.rain.RasterSettings rasterSettings() {
        try {
            return new dev.tandem.operators.rain.RasterSettings(string("rainfall.region"), string("rainfall.step"),
                    integer("rainfall.allowed-lateness-ms"), rainfallBbox(), decimal("rainfall.resolution"),
                    integer("rainfall.grid.max-side"), list("rainfall.features"), decimal("rainfall.idw-power"),
                    decimal("rainfall.idw-radius-cells"));
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("time step")) {
                throw new IllegalArgumentException("invalid value '" + ConfigKey.quoted(string("rainfall.step"))
                        + "' for configuration key rainfall.step; allowed: hourly, daily, monthly, <n>min, <n>h, <n>d", e);
            }
            throw named("rainfall", e);
        }
    }

    public dev.tandem.models.rain.RegionSettings regionSettings() {
        int[] hidden = intList("rainfall.hidden");
        int[] kernels = intList("rainfall.kernels");
        if (hidden.length != kernels.length) {
            throw new IllegalArgumentException("rainfall.hidden (" + hidden.length + " layers) and rainfall.kernels ("
                    + kernels.length + " layers) must list one value per ConvLSTM layer");
        }
        for (int k : kernels) {
            if (k % 2 == 0) {
                throw new IllegalArgumentException("invalid value '" + ConfigKey.quoted(raw.get("rainfall.kernels").trim())
                        + "' for configuration key rainfall.kernels; allowed: odd kernel sizes");
            }
        }
        if (integer("rainfall.replay") != 0 && integer("rainfall.replay") < integer("rainfall.batch")) {
            throw new IllegalArgumentException("rainfall.replay (" + integer("rainfall.replay")
                    + ") must be at least rainfall.batch (" + integer("rainfall.batch") + ")");
        }
        try {
            return new dev.tandem.models.rain.RegionSettings(string("rainfall.step"), integer("rainfall.window"),
                    integer("rainfall.horizon"), string("rainfall.optimizer"), decimal("rainfall.learning-rate"),
                    decimal("rainfall.momentum"), integer("rainfall.ssgd.population"), decimal("rainfall.ssgd.window"),
                    integer("rainfall.ssgd.horizon"), integer("rainfall.ssgd.plateau-patience"), hidden, kernels, integer("rainfall.batch"),
                    integer("rainfall.replay"), integer("rainfall.steps-per-learn"), decimal("rainfall.rain-scale"),
                    longValue("rainfall.seed"), string("compute.backend"), decimal("rainfall.rain-threshold-mm"),
                    trainingGuard());
        } catch (IllegalArgumentException e) {
            throw named("rainfall", e);
        }
    }

    /**
     * The table of every key for {@code config/README.md} ({@code ConfigDocsTest} checks that the file holds these
     * rows), from {@link #KEYS} and the defaults: key, default, what is allowed, what it does.
     */
    public static List<String> documentationRows() {
        TandemConfig d = defaults();
        List<String> rows = new ArrayList<>();
        for (ConfigKey k : KEYS) {
            rows.add("| `" + k.name() + "` | `" + d.raw.getOrDefault(k.name(), "").trim() + "` | " + k.allowed() + " | "
                    + k.description() + " |");
        }
        return rows;
    }

    public List<String> overriddenKeys(TandemConfig base) {
        List<String> out = new ArrayList<>();
        for (ConfigKey k : KEYS) {
            if (!values.get(k.name()).equals(base.values.get(k.name()))) {
                out.add(k.name());
            }
        }
        return out;
    }
}
