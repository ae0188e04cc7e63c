package dev.tandem.tools.stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.job.config.TandemConfig;
import dev.tandem.job.stream.GearboxMain;
import dev.tandem.job.stream.RainfallMain;
import dev.tandem.operators.common.Json;
import dev.tandem.operators.gearbox.Prediction;
import dev.tandem.operators.gearbox.VibrationWindow;
import dev.tandem.operators.gearbox.VibrationWindowBinary;
import dev.tandem.operators.rain.Forecast;
import dev.tandem.operators.rain.ParseAndValidateWeather;
import dev.tandem.operators.rain.WeatherReading;
import dev.tandem.tools.demo.GearboxSimulator;
import dev.tandem.tools.demo.WeatherSimulator;
import dev.tandem.tools.kafka.CommittedReader;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The acceptance's hostile-input test (issue 12): more than 50 kinds of bad record — the seven cases of the issue,
 * malformed JSON and binary windows, non-finite, out-of-range and wrongly typed fields, oversized, compressed and
 * deeply nested values, unknown fleets, labels and stations, far-past and far-future times — sent through a real
 * broker into running jobs (the gearbox and rainfall jobs in one Flink job, as the demo runs them, and a gearbox job
 * reading binary windows beside it), interleaved with good records. Each bad record must come back as exactly one
 * dead letter, found by the source topic, partition and offset it carries, with the expected reason; every good
 * window gets its prediction, every closed step its forecast (also after the bad records), and neither job
 * restarts. The kinds and their reasons are listed in docs/HOSTILE-INPUT.md.
 */
class HostileInputKafkaTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    private static final int CHANNELS = 2;
    private static final int LENGTH = 512;
    private static final long GEAR_T0 = 1_700_000_000_000L;
    private static final long HOUR = 3_600_000L;
    private static final long RAIN_T0 = 1_704_067_200_000L; // 2024-01-01T00:00Z
    private static final int RAIN_STEPS = 14;
    private static final int RAIN_WINDOW = 2;
    private static KafkaClusterTestKit kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = TestBroker.start();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** One bad record: its kind, the topic it goes to, the reason its dead letter must start with, and where it landed. */
    static final class Bad {
        final String kind;
        final String topic;
        final String reason;
        final byte[] value;
        final Long timestamp;
        final boolean zstd;
        int partition = -1;
        long offset = -1;
        String got;
        int letters;

        Bad(String kind, String topic, String reason, byte[] value, Long timestamp, boolean zstd) {
            this.kind = kind;
            this.topic = topic;
            this.reason = reason;
            this.value = value;
            this.timestamp = timestamp;
            this.zstd = zstd;
        }
    }

    private static TandemConfig combined() {
        return TandemConfig.defaults(
                "kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "kafka.group-id=hx-job",
                "topics.gearbox-windows=hx-windows",
                "topics.gearbox-predictions=hx-predictions",
                "topics.gearbox-alerts=hx-alerts",
                "topics.weather-readings=hx-readings",
                "topics.rain-forecasts=hx-forecasts",
                "topics.dead-letters=hx-dead",
                "gearbox.fleets=demo",
                "gearbox.batch=4",
                "compute.backend=java",
                "rainfall.region=test",
                "rainfall.bbox=-37,-33,147,152",
                "rainfall.step=1h",
                "rainfall.allowed-lateness-ms=0",
                "rainfall.grid.max-side=8",
                "rainfall.window=" + RAIN_WINDOW,
                "rainfall.hidden=4",
                "rainfall.kernels=3",
                "rainfall.batch=2",
                "rainfall.replay=16",
                "rainfall.rain-scale=10", // learns from the first full window (auto would wait for 50 wet readings)
                "job.parallelism=1",
                "job.checkpoint-interval-ms=400",
                "job.watermark-out-of-orderness-ms=0",
                "job.transactional-id-prefix=hx",
                "job.source-idle-timeout-ms=0");
    }

    private static TandemConfig binary() {
        return TandemConfig.defaults(
                "kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "kafka.group-id=hb-job",
                "topics.gearbox-windows=hb-windows",
                "topics.gearbox-predictions=hb-predictions",
                "topics.gearbox-alerts=hb-alerts",
                "topics.dead-letters=hb-dead",
                "gearbox.windows.format=binary",
                "gearbox.fleets=demo",
                "gearbox.batch=4",
                "compute.backend=java",
                "job.parallelism=1",
                "job.checkpoint-interval-ms=400",
                "job.transactional-id-prefix=hb",
                "job.source-idle-timeout-ms=0");
    }

    private static void createTopics() throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        // the input topics take batches up to 8 MB, as the demo's do; records carry their own (past) times
        Map<String, String> input = Map.of("max.message.bytes", "8388608", "retention.ms", "-1");
        Map<String, String> keep = Map.of("retention.ms", "-1");
        List<NewTopic> topics = new ArrayList<>();
        for (String t : List.of("hx-windows", "hx-readings", "hb-windows")) {
            topics.add(new NewTopic(t, 1, (short) 1).configs(input)); // one partition: a deterministic order
        }
        for (String t : List.of("hx-predictions", "hx-alerts", "hx-forecasts", "hx-dead", "hb-predictions", "hb-alerts", "hb-dead")) {
            topics.add(new NewTopic(t, 1, (short) 1).configs(keep));
        }
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(topics).all().get();
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(boolean zstd) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        if (zstd) {
            // a 32 MB record compresses to far below the broker's 8 MB limit, which bounds batches, not records
            p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
            p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(64 << 20));
            p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(128L << 20));
        } else {
            p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(8 << 20));
        }
        return new KafkaProducer<>(p);
    }

    /** Sends and waits, so that records of both producers keep the order they were sent in. */
    private static RecordMetadata send(KafkaProducer<byte[], byte[]> p, String topic, String key, byte[] value, long ts)
            throws Exception {
        return p.send(new ProducerRecord<>(topic, null, ts, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value)).get();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String repeat(String s, int n) {
        return s.repeat(n);
    }

    // ---- the kinds -------------------------------------------------------------------------------------------------

    /** A JSON window around the given fields (a good window's channels unless channels are among them). */
    private static String window(long t, String fields, String channels) {
        return "{\"time\":" + t + "," + fields + (fields.isEmpty() ? "" : ",") + "\"channels\":" + channels + "}";
    }

    private static String channels(int c, int n) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < c; i++) {
            s.append(i == 0 ? "[" : ",[");
            for (int j = 0; j < n; j++) {
                s.append(j == 0 ? "" : ",").append(Math.round(Math.sin(0.1 * j + i) * 1000) / 1000.0);
            }
            s.append(']');
        }
        return s.append(']').toString();
    }

    private static final String OK = "\"machine\":\"m1\",\"fleet\":\"demo\",\"sample_rate_hz\":5120.0,\"label\":\"healthy\"";

    /** The bad gearbox JSON records sent while the stream runs (t: the time of the good window before it). */
    static List<Bad> gearboxJsonKinds(long t) {
        String ch = channels(CHANNELS, LENGTH);
        String T = "hx-windows";
        List<Bad> b = new ArrayList<>();
        b.add(new Bad("not JSON at all", T, "unparseable json", utf8("this is not json"), t, false));
        b.add(new Bad("truncated JSON object", T, "unparseable json", utf8("{\"time\": 17, \"machine\": \"m1\", oops"), t, false));
        b.add(new Bad("JSON array instead of an object", T, "unparseable json: a vibration window must be a JSON object", utf8("[1,2,3]"), t, false));
        b.add(new Bad("text after the JSON object", T, "unparseable json: text after", utf8(window(t, OK, ch) + " {}"), t, false));
        b.add(new Bad("invalid UTF-8 / binary bytes", T, "unparseable json", new byte[] {'{', 0, (byte) 0xff, (byte) 0xfe, 7}, t, false));
        b.add(new Bad("Kafka tombstone (null value)", T, "tombstone:", null, t, false));
        b.add(new Bad("empty value", T, "empty:", new byte[0], t, false));
        b.add(new Bad("garbage stamped with the wall clock", T, "unparseable json", utf8("{\"garbage"), System.currentTimeMillis(), false));
        b.add(new Bad("duplicate key: label", T, "duplicate key:", utf8(window(t, OK + ",\"label\":\"broken_tooth\"", ch)), t, false));
        b.add(new Bad("duplicate key: machine", T, "duplicate key:", utf8(window(t, "\"machine\":\"m2\"," + OK, ch)), t, false));
        b.add(new Bad("machine name with markup", T, "invalid machine", utf8(window(t,
                "\"machine\":\"<script>alert(1)</script>\",\"fleet\":\"demo\",\"sample_rate_hz\":5120.0", ch)), t, false));
        b.add(new Bad("machine name with control characters", T, "invalid machine", utf8(window(t,
                "\"machine\":\"m1\\u0007\\u001b[31m\",\"fleet\":\"demo\",\"sample_rate_hz\":5120.0", ch)), t, false));
        b.add(new Bad("machine name of 100 characters", T, "invalid machine: 100 characters", utf8(window(t,
                "\"machine\":\"" + repeat("m", 100) + "\",\"fleet\":\"demo\",\"sample_rate_hz\":5120.0", ch)), t, false));
        b.add(new Bad("machine name of 10,000 characters", T, "limit:", utf8(window(t,
                "\"machine\":\"" + repeat("m", 10_000) + "\",\"fleet\":\"demo\",\"sample_rate_hz\":5120.0", ch)), t, false));
        b.add(new Bad("machine name with a blank", T, "invalid machine", utf8(window(t,
                "\"machine\":\"m 1\",\"fleet\":\"demo\",\"sample_rate_hz\":5120.0", ch)), t, false));
        b.add(new Bad("machine name with a look-alike Cyrillic letter", T, "invalid machine", utf8(window(t,
                "\"machine\":\"\u043c1\",\"fleet\":\"demo\",\"sample_rate_hz\":5120.0", ch)), t, false));
        b.add(new Bad("machine missing", T, "missing machine", utf8(window(t, "\"fleet\":\"demo\",\"sample_rate_hz\":5120.0", ch)), t, false));
        b.add(new Bad("machine is a number", T, "unparseable json: machine must be a string", utf8(window(t,
                "\"machine\":42,\"fleet\":\"demo\",\"sample_rate_hz\":5120.0", ch)), t, false));
        b.add(new Bad("unknown fleet", T, "unknown fleet 'elsewhere'", utf8(window(t,
                "\"machine\":\"m1\",\"fleet\":\"elsewhere\",\"sample_rate_hz\":5120.0", ch)), t, false));
        b.add(new Bad("unknown label", T, "unknown label 'on_fire'", utf8(window(t,
                "\"machine\":\"m1\",\"fleet\":\"demo\",\"sample_rate_hz\":5120.0,\"label\":\"on_fire\"", ch)), t, false));
        b.add(new Bad("negative sample rate", T, "sample_rate_hz must be a finite number > 0", utf8(window(t,
                "\"machine\":\"m1\",\"fleet\":\"demo\",\"sample_rate_hz\":-1", ch)), t, false));
        b.add(new Bad("sample rate 1e400 (infinite)", T, "sample_rate_hz must be a finite number > 0", utf8(window(t,
                "\"machine\":\"m1\",\"fleet\":\"demo\",\"sample_rate_hz\":1e400", ch)), t, false));
        b.add(new Bad("sample rate as a string", T, "unparseable json: sample_rate_hz must be a number", utf8(window(t,
                "\"machine\":\"m1\",\"fleet\":\"demo\",\"sample_rate_hz\":\"5120\"", ch)), t, false));
        b.add(new Bad("NaN literal", T, "unparseable json", utf8(window(t,
                "\"machine\":\"m1\",\"fleet\":\"demo\",\"sample_rate_hz\":NaN", ch)), t, false));
        b.add(new Bad("sample \"NaN\" as a string", T, "unparseable json", utf8(window(t,
                "\"machine\":\"m1\",\"fleet\":\"demo\",\"sample_rate_hz\":5120.0", "[[1,\"NaN\",3]]")), t, false));
        b.add(new Bad("sample 1e39 (infinite as a float)", T, "non-finite sample", utf8(window(t,
                "\"machine\":\"m1\",\"fleet\":\"demo\",\"sample_rate_hz\":5120.0", ch.replaceFirst("\\[\\[0.0,", "[[1e39,"))), t, false));
        b.add(new Bad("channels is a string", T, "unparseable json", utf8(window(t,
                "\"machine\":\"m1\",\"fleet\":\"demo\",\"sample_rate_hz\":5120.0", "\"abc\"")), t, false));
        b.add(new Bad("channels of different lengths", T, "channel 1 has", utf8(window(t,
                "\"machine\":\"m1\",\"fleet\":\"demo\",\"sample_rate_hz\":5120.0", "[" + channels(1, LENGTH).substring(1, channels(1, LENGTH).length() - 1)
                        + "," + channels(1, LENGTH - 1).substring(1))), t, false));
        b.add(new Bad("no channels", T, "channel count 0 outside", utf8(window(t,
                "\"machine\":\"m1\",\"fleet\":\"demo\",\"sample_rate_hz\":5120.0", "[]")), t, false));
        b.add(new Bad("window too short (100 samples)", T, "window length 100 outside", utf8(window(t,
                "\"machine\":\"m1\",\"fleet\":\"demo\",\"sample_rate_hz\":5120.0", channels(CHANNELS, 100))), t, false));
        b.add(new Bad("17 channels", T, "limit: channel list longer than 16", utf8(window(t,
                "\"machine\":\"m1\",\"fleet\":\"demo\",\"sample_rate_hz\":5120.0", channels(17, 128))), t, false));
        b.add(new Bad("channel of 16,385 samples", T, "limit: channel 0 longer than 16384", utf8(window(t,
                "\"machine\":\"m1\",\"fleet\":\"demo\",\"sample_rate_hz\":5120.0", "[[" + "0,".repeat(16_385) + "0]]")), t, false));
        b.add(new Bad("shape the fleet's model cannot take (3 channels)", T, "window shape 3x512 differs", utf8(window(t,
                OK, channels(3, LENGTH))), t, false));
        StringBuilder fields = new StringBuilder();
        for (int i = 0; i < 1100; i++) {
            fields.append("\"f").append(i).append("\":").append(i).append(',');
        }
        b.add(new Bad("1,100 unknown fields", T, "limit: more than 1024 fields", utf8(window(t, fields + OK, ch)), t, false));
        b.add(new Bad("nested 200 deep", T, "limit:", utf8(window(t, OK + ",\"x\":" + "[".repeat(200) + "]".repeat(200), ch)), t, false));
        b.add(new Bad("string of 5,000 characters in an unknown field", T, "limit:", utf8(window(t,
                OK + ",\"note\":\"" + "x".repeat(5000) + "\"", ch)), t, false));
        b.add(new Bad("number of 200 digits", T, "limit:", utf8(window(t, OK + ",\"n\":" + "9".repeat(200), ch)), t, false));
        b.add(new Bad("array of 70,000 elements in an unknown field", T, "limit: an array longer than 65536", utf8(window(t,
                OK + ",\"a\":[" + "0,".repeat(69_999) + "0]", ch)), t, false));
        b.add(new Bad("zstd-compressed 32 MB window", T, "too large: record of", utf8(window(t,
                OK + ",\"pad\":\"" + " ".repeat(32 << 20) + "\"", ch)), t, true));
        b.add(new Bad("time in the year 99999", T, "future: time 3093527980800000", utf8(window(3_093_527_980_800_000L, OK, ch)), t, false));
        b.add(new Bad("time two days ahead of the stream", T, "future: time " + (t + 2 * 86_400_000L), utf8(window(t + 2 * 86_400_000L, OK, ch)), t, false));
        b.add(new Bad("time Long.MAX_VALUE", T, "future:", utf8(window(Long.MAX_VALUE, OK, ch)), t, false));
        b.add(new Bad("time overflowing a long", T, "unparseable json", utf8("{\"time\":99999999999999999999," + OK + ",\"channels\":" + ch + "}"), t, false));
        b.add(new Bad("time as an unparseable string", T, "unparseable json: time 'yesterday'", utf8("{\"time\":\"yesterday\"," + OK + ",\"channels\":" + ch + "}"), t, false));
        b.add(new Bad("time as a boolean", T, "unparseable json: time must be", utf8("{\"time\":true," + OK + ",\"channels\":" + ch + "}"), t, false));
        b.add(new Bad("time 0", T, "missing or non-positive time", utf8(window(0, OK, ch)), t, false));
        b.add(new Bad("negative time", T, "missing or non-positive time", utf8(window(-5, OK, ch)), t, false));
        b.add(new Bad("time missing", T, "missing or non-positive time", utf8("{" + OK + ",\"channels\":" + ch + "}"), t, false));
        return b;
    }

    /** Bad gearbox JSON records that need the stream to have run for a while: far-past times. */
    static List<Bad> gearboxJsonPastKinds(long t) {
        String ch = channels(CHANNELS, LENGTH);
        List<Bad> b = new ArrayList<>();
        b.add(new Bad("time 1 s after the epoch (far past)", "hx-windows", "past:", utf8(window(1000, OK, ch)), t, false));
        b.add(new Bad("time two days behind the stream", "hx-windows", "past:", utf8(window(t - 2 * 86_400_000L, OK, ch)), t, false));
        return b;
    }

    private static byte[] binaryWindow(VibrationWindow w) {
        return VibrationWindowBinary.encode(w);
    }

    /** The bad binary windows (t: the time of the good window before it; good: a good window to break). */
    static List<Bad> binaryKinds(long t, VibrationWindow good) {
        String T = "hb-windows";
        byte[] ok = binaryWindow(good);
        List<Bad> b = new ArrayList<>();
        byte[] magic = ok.clone();
        magic[0] = 'X';
        b.add(new Bad("binary: wrong magic", T, "unparseable binary: not a binary vibration window", magic, t, false));
        b.add(new Bad("binary: a JSON window on the binary topic", T, "unparseable binary", Json.write(good), t, false));
        byte[] version = ok.clone();
        version[2] = 9;
        b.add(new Bad("binary: unknown version", T, "unparseable binary: binary window version 9", version, t, false));
        b.add(new Bad("binary: 10 bytes", T, "unparseable binary: binary window too short", java.util.Arrays.copyOf(ok, 10), t, false));
        b.add(new Bad("binary: truncated samples", T, "unparseable binary: binary window declares", java.util.Arrays.copyOf(ok, ok.length / 2), t, false));
        byte[] longer = java.util.Arrays.copyOf(ok, ok.length + 4);
        b.add(new Bad("binary: bytes after the samples", T, "unparseable binary: binary window declares", longer, t, false));
        byte[] channels = ok.clone();
        ByteBuffer.wrap(channels).order(ByteOrder.LITTLE_ENDIAN).putShort(20, (short) 60_000);
        b.add(new Bad("binary: declares 60,000 channels", T, "limit: binary window declares 60000 channels", channels, t, false));
        byte[] samples = ok.clone();
        ByteBuffer.wrap(samples).order(ByteOrder.LITTLE_ENDIAN).putInt(22, 1_000_000_000);
        b.add(new Bad("binary: declares 10^9 samples", T, "limit: binary window declares 1000000000 samples", samples, t, false));
        byte[] negative = ok.clone();
        ByteBuffer.wrap(negative).order(ByteOrder.LITTLE_ENDIAN).putInt(22, -7);
        b.add(new Bad("binary: negative length", T, "unparseable binary: negative window length", negative, t, false));
        byte[] string = ok.clone();
        ByteBuffer.wrap(string).order(ByteOrder.LITTLE_ENDIAN).putShort(26, (short) 0xFFFF);
        b.add(new Bad("binary: machine string runs past the end", T, "unparseable binary: string of 65535 bytes", string, t, false));
        VibrationWindow nan = copy(good);
        nan.channels[0][5] = Float.NaN;
        b.add(new Bad("binary: NaN sample", T, "non-finite sample NaN", binaryWindow(nan), t, false));
        VibrationWindow inf = copy(good);
        inf.channels[1][0] = Float.POSITIVE_INFINITY;
        b.add(new Bad("binary: infinite sample", T, "non-finite sample Infinity", binaryWindow(inf), t, false));
        VibrationWindow rate = copy(good);
        rate.sampleRateHz = Double.NaN;
        b.add(new Bad("binary: NaN sample rate", T, "sample_rate_hz must be a finite number > 0", binaryWindow(rate), t, false));
        VibrationWindow control = copy(good);
        control.machine = "m1\r\nSet-Cookie: x";
        b.add(new Bad("binary: machine with CR LF", T, "invalid machine", binaryWindow(control), t, false));
        byte[] badUtf8 = binaryWindow(copy(good));
        badUtf8[28] = (byte) 0xff; // the machine's first byte ("m1": length at 26, bytes at 28)
        b.add(new Bad("binary: machine of invalid UTF-8", T, "invalid machine", badUtf8, t, false));
        VibrationWindow fleet = copy(good);
        fleet.fleet = "other";
        b.add(new Bad("binary: unknown fleet", T, "unknown fleet 'other'", binaryWindow(fleet), t, false));
        VibrationWindow future = copy(good);
        future.time = 3_093_527_980_800_000L;
        b.add(new Bad("binary: time in the year 99999", T, "future:", binaryWindow(future), t, false));
        b.add(new Bad("binary: tombstone", T, "tombstone:", null, t, false));
        b.add(new Bad("binary: empty value", T, "empty:", new byte[0], t, false));
        return b;
    }

    private static VibrationWindow copy(VibrationWindow w) {
        float[][] ch = new float[w.channels.length][];
        for (int i = 0; i < ch.length; i++) {
            ch[i] = w.channels[i].clone();
        }
        return new VibrationWindow(w.time, w.machine, w.fleet, w.sampleRateHz, ch, w.label);
    }

    private static String reading(String time, String fields) {
        return "{\"time\":" + time + (fields.isEmpty() ? "" : ",") + fields + "}";
    }

    private static final String AT = "\"station\":\"x1\",\"lat\":-35,\"lon\":149,\"rain_mm\":1";

    /** The bad weather readings sent while the stream runs (t: the time of the step being sent). */
    static List<Bad> weatherKinds(long t) {
        String T = "hx-readings";
        String ts = Long.toString(t);
        List<Bad> b = new ArrayList<>();
        b.add(new Bad("weather: garbage stamped with the wall clock", T, "unparseable json", new byte[] {'{', 0, (byte) 0xff},
                System.currentTimeMillis(), false));
        StringBuilder extra = new StringBuilder();
        for (int i = 0; i < 100_000; i++) {
            extra.append(",\"x").append(i).append("\":").append(i % 97);
        }
        b.add(new Bad("weather: 100,000 extra numeric fields (1.1 MB)", T, "limit: more than 1024 fields",
                utf8(reading(ts, AT + extra)), t, false));
        b.add(new Bad("weather: time in the year 3000 (normal record timestamp)", T, "future: time 32503680000000",
                utf8(reading("\"3000-01-01T00:00:00Z\"", AT)), t, false));
        b.add(new Bad("weather: time 30 h ahead of the stream", T, "future: time " + (t + 30 * HOUR) + " is",
                utf8(reading(Long.toString(t + 30 * HOUR), AT)), t, false));
        b.add(new Bad("weather: duplicate key rain_mm", T, "duplicate key:", utf8(reading(ts, AT + ",\"rain_mm\":400")), t, false));
        b.add(new Bad("weather: duplicate key station", T, "duplicate key:", utf8(reading(ts, "\"station\":\"x2\"," + AT)), t, false));
        b.add(new Bad("weather: station name with markup", T, "invalid station", utf8(reading(ts,
                "\"station\":\"<img src=x onerror=alert(1)>\",\"lat\":-35,\"lon\":149")), t, false));
        b.add(new Bad("weather: station name with control characters", T, "invalid station", utf8(reading(ts,
                "\"station\":\"x\\u0000\\u0008\",\"lat\":-35,\"lon\":149")), t, false));
        b.add(new Bad("weather: station name of 100 characters", T, "invalid station: 100 characters", utf8(reading(ts,
                "\"station\":\"" + "s".repeat(100) + "\",\"lat\":-35,\"lon\":149")), t, false));
        b.add(new Bad("weather: station is a number", T, "unparseable json: station must be a string", utf8(reading(ts,
                "\"station\":7,\"lat\":-35,\"lon\":149")), t, false));
        b.add(new Bad("weather: station missing", T, "missing station", utf8(reading(ts, "\"lat\":-35,\"lon\":149")), t, false));
        b.add(new Bad("weather: unknown station outside the region", T, "station far at (-20.0, 130.0) is outside region test",
                utf8(reading(ts, "\"station\":\"far\",\"lat\":-20,\"lon\":130,\"rain_mm\":1")), t, false));
        b.add(new Bad("weather: negative rain", T, "rain_mm -3.0 out of range", utf8(reading(ts,
                "\"station\":\"x1\",\"lat\":-35,\"lon\":149,\"rain_mm\":-3")), t, false));
        b.add(new Bad("weather: rain above rainfall.rain-max-mm", T, "rain_mm 10000.0 out of range", utf8(reading(ts,
                "\"station\":\"x1\",\"lat\":-35,\"lon\":149,\"rain_mm\":10000")), t, false));
        b.add(new Bad("weather: rain \"NaN\" as a string", T, "unparseable json: rain_mm must be a number", utf8(reading(ts,
                "\"station\":\"x1\",\"lat\":-35,\"lon\":149,\"rain_mm\":\"NaN\"")), t, false));
        b.add(new Bad("weather: rain 1e400 (infinite)", T, "rain_mm Infinity out of range", utf8(reading(ts,
                "\"station\":\"x1\",\"lat\":-35,\"lon\":149,\"rain_mm\":1e400")), t, false));
        b.add(new Bad("weather: latitude 95", T, "invalid lat 95.0", utf8(reading(ts, "\"station\":\"x1\",\"lat\":95,\"lon\":149")), t, false));
        b.add(new Bad("weather: longitude 200", T, "invalid lon 200.0", utf8(reading(ts, "\"station\":\"x1\",\"lat\":-35,\"lon\":200")), t, false));
        b.add(new Bad("weather: latitude as a string", T, "unparseable json: lat must be a number", utf8(reading(ts,
                "\"station\":\"x1\",\"lat\":\"abc\",\"lon\":149")), t, false));
        b.add(new Bad("weather: latitude missing", T, "unparseable json: missing lat", utf8(reading(ts, "\"station\":\"x1\",\"lon\":149")), t, false));
        b.add(new Bad("weather: temperature 1e400 (infinite)", T, "non-finite temp_c", utf8(reading(ts, AT + ",\"temp_c\":1e400")), t, false));
        b.add(new Bad("weather: extra feature -1e400 (infinite)", T, "non-finite dew", utf8(reading(ts, AT + ",\"dew\":-1e400")), t, false));
        b.add(new Bad("weather: feature name with a blank", T, "invalid feature name", utf8(reading(ts, AT + ",\"dew point\":3")), t, false));
        b.add(new Bad("weather: time missing", T, "missing or non-positive time", utf8("{" + AT + "}"), t, false));
        b.add(new Bad("weather: negative time", T, "missing or non-positive time", utf8(reading("-1", AT)), t, false));
        b.add(new Bad("weather: tombstone", T, "tombstone:", null, t, false));
        b.add(new Bad("weather: empty value", T, "empty:", new byte[0], t, false));
        b.add(new Bad("weather: zstd-compressed 9 MB reading", T, "too large: record of", utf8(reading(ts, AT) + " ".repeat(9 << 20)), t, true));
        b.add(new Bad("weather: nested 100 deep", T, "limit:", utf8(reading(ts, AT + ",\"x\":" + "{\"a\":".repeat(100) + "1" + "}".repeat(100))), t, false));
        b.add(new Bad("weather: JSON array", T, "unparseable json: a weather reading must be a JSON object", utf8("[" + ts + "]"), t, false));
        return b;
    }

    /** Bad readings sent once steps have closed: readings of closed steps and from the far past. */
    static List<Bad> weatherLateKinds(long t) {
        String T = "hx-readings";
        List<Bad> b = new ArrayList<>();
        b.add(new Bad("weather: reading of a closed step", T, "late: reading of step", utf8(reading(Long.toString(RAIN_T0), AT)), t, false));
        b.add(new Bad("weather: time in the year 2000 (far past)", T, "late: reading of step", utf8(reading("\"2000-01-01T00:00:00Z\"", AT)), t, false));
        b.add(new Bad("weather: time 1 ms after the epoch", T, "late: reading of step", utf8(reading("1", AT)), t, false));
        return b;
    }

    // ---- the run ---------------------------------------------------------------------------------------------------

    private static List<VibrationWindow> windows(int n, long t0, long seed) {
        GearboxSimulator sim = new GearboxSimulator("demo", CHANNELS, LENGTH, GearboxSimulator.DEFAULT_RATE, seed);
        List<VibrationWindow> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String machine = "m" + (1 + i % 3);
            boolean broken = machine.equals("m2");
            out.add(sim.window(machine, t0 + 100L * i, broken, i % 4 == 3 ? null : broken ? "broken_tooth" : "healthy"));
        }
        return out;
    }

    /** Good windows [from, to) with the bad ones spread between them, one after every other good window. */
    private static void sendWindows(KafkaProducer<byte[], byte[]> plain, KafkaProducer<byte[], byte[]> zstd, String topic,
                                    TandemConfig c, List<VibrationWindow> good, int from, int to, List<Bad> bad) throws Exception {
        int k = 0;
        for (int i = from; i < to; i++) {
            VibrationWindow w = good.get(i);
            send(plain, topic, w.machine, c.windowFormat().encode(w), w.time);
            if ((i - from) % 2 == 1 && k < bad.size()) {
                sendBad(plain, zstd, bad.get(k++));
            }
        }
        while (k < bad.size()) {
            sendBad(plain, zstd, bad.get(k++));
        }
    }

    private static void sendBad(KafkaProducer<byte[], byte[]> plain, KafkaProducer<byte[], byte[]> zstd, Bad b) throws Exception {
        RecordMetadata m = send(b.zstd ? zstd : plain, b.topic, "bad", b.value, b.timestamp);
        b.partition = m.partition();
        b.offset = m.offset();
    }

    private static void sendSteps(KafkaProducer<byte[], byte[]> plain, KafkaProducer<byte[], byte[]> zstd, WeatherSimulator sim,
                                  int from, int to, List<Bad> bad, int badPerStep) throws Exception {
        int k = 0;
        for (int s = from; s < to; s++) {
            long t = RAIN_T0 + s * HOUR;
            List<WeatherReading> step = sim.next(t);
            for (int i = 0; i < step.size(); i++) {
                WeatherReading r = step.get(i);
                send(plain, "hx-readings", r.station, ParseAndValidateWeather.write(r), r.time);
                // bad readings between the good ones of a step, from the second step on (the gate has a watermark)
                if (s > from && i % 3 == 1) {
                    for (int j = 0; j < badPerStep && k < bad.size(); j++) {
                        sendBad(plain, zstd, bad.get(k++));
                    }
                }
            }
        }
        assertEquals(bad.size(), k, "every bad reading was sent between good ones");
    }

    private static StreamExecutionEnvironment environment(Path checkpoints) {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        // as in the demo: the two pipelines of one job checkpoint without waiting on each other's queues
        conf.set(CheckpointingOptions.ENABLE_UNALIGNED, true);
        return StreamExecutionEnvironment.getExecutionEnvironment(conf);
    }

    private static JsonNode rest(String url) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url + ": " + r.body());
        return Json.mapper().readTree(r.body());
    }

    /**
     * The job's restarts (the REST metric {@code numRestarts}, which the web monitor fetches only every few
     * seconds, so it is asked until it is there) plus the failures in its exception history: 0 for a job that
     * never failed, not even one task of it.
     */
    private static long failures(String base, JobClient job) throws Exception {
        String url = base + "/jobs/" + job.getJobID();
        long end = System.nanoTime() + 30_000_000_000L;
        JsonNode m = rest(url + "/metrics?get=numRestarts");
        while ((!m.isArray() || m.isEmpty()) && System.nanoTime() < end) {
            Thread.sleep(500);
            m = rest(url + "/metrics?get=numRestarts");
        }
        assertTrue(m.isArray() && !m.isEmpty(), "no numRestarts metric for " + url);
        long restarts = m.get(0).path("value").asLong();
        JsonNode history = rest(url + "/exceptions").path("exceptionHistory").path("entries");
        return restarts + history.size();
    }

    @Test
    void everyBadRecordIsOneDeadLetterAndTheGoodOnesKeepFlowing(@TempDir Path tmp,
            @InjectClusterClient ClusterClient<?> cluster) throws Exception {
        long started = System.nanoTime();
        createTopics();
        TandemConfig hx = combined();
        TandemConfig hb = binary();
        List<VibrationWindow> gear = windows(100, GEAR_T0, 7);
        List<VibrationWindow> bin = windows(60, GEAR_T0, 11);
        WeatherSimulator sim = new WeatherSimulator(9, -36, -34, 148, 151, HOUR, 0.6, 7);
        List<Bad> gearBad = gearboxJsonKinds(gear.get(1).time);
        List<Bad> gearPast = gearboxJsonPastKinds(gear.get(79).time);
        List<Bad> binBad = binaryKinds(bin.get(1).time, bin.get(0));
        List<Bad> rainBad = weatherKinds(RAIN_T0 + 2 * HOUR);
        List<Bad> rainLate = weatherLateKinds(RAIN_T0 + 8 * HOUR);
        List<Bad> all = new ArrayList<>();
        for (List<Bad> l : List.of(gearBad, gearPast, binBad, rainBad, rainLate)) {
            all.addAll(l);
        }
        assertTrue(all.size() >= 50, "at least 50 kinds: " + all.size());

        try (KafkaProducer<byte[], byte[]> plain = producer(false); KafkaProducer<byte[], byte[]> zstd = producer(true)) {
            // phase 1, before the jobs start: the first half of the good records with the bad ones between them
            sendWindows(plain, zstd, "hx-windows", hx, gear, 0, 80, gearBad);
            sendWindows(plain, zstd, "hb-windows", hb, bin, 0, 40, binBad);
            sendSteps(plain, zstd, sim, 0, 8, rainBad, 3);
        }
        StreamExecutionEnvironment env = environment(tmp.resolve("hx"));
        GearboxMain.build(env, hx);
        RainfallMain.attach(env, hx);
        JobClient job = env.executeAsync("hostile-gearbox-rainfall");
        StreamExecutionEnvironment benv = environment(tmp.resolve("hb"));
        GearboxMain.build(benv, hb);
        JobClient bjob = benv.executeAsync("hostile-gearbox-binary");

        List<Prediction> predictions = Collections.synchronizedList(new ArrayList<>());
        List<Prediction> binPredictions = Collections.synchronizedList(new ArrayList<>());
        List<Forecast> forecasts = Collections.synchronizedList(new ArrayList<>());
        List<JsonNode> dead = Collections.synchronizedList(new ArrayList<>());
        int expectedForecasts = (RAIN_STEPS - 1) - (RAIN_WINDOW - 1);
        try (CommittedReader r = new CommittedReader(kafka.bootstrapServers(), List.of("hx-predictions", "hb-predictions",
                "hx-forecasts", "hx-dead", "hb-dead"), (topic, value) -> {
            try {
                switch (topic) {
                    case "hx-predictions" -> predictions.add(Json.read(value, Prediction.class));
                    case "hb-predictions" -> binPredictions.add(Json.read(value, Prediction.class));
                    case "hx-forecasts" -> forecasts.add(Json.read(value, Forecast.class));
                    default -> dead.add(Json.mapper().readTree(value));
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        })) {
            // phase 2, once steps have closed (forecasts are out): readings of closed steps and the far past, and
            // far-past windows, then the rest of the good records
            assertTrue(r.await(() -> forecasts.size() >= 3 && predictions.size() >= 60, Duration.ofSeconds(120)),
                    () -> "phase 1: forecasts " + forecasts.size() + ", predictions " + predictions.size() + TestLogs.tail(80));
            int forecastsBefore = forecasts.size();
            try (KafkaProducer<byte[], byte[]> plain = producer(false); KafkaProducer<byte[], byte[]> zstd = producer(true)) {
                sendWindows(plain, zstd, "hx-windows", hx, gear, 80, 100, gearPast);
                sendWindows(plain, zstd, "hb-windows", hb, bin, 40, 60, List.of());
                sendSteps(plain, zstd, sim, 8, RAIN_STEPS, rainLate, 1);
            }
            assertTrue(r.await(() -> predictions.size() >= gear.size() && binPredictions.size() >= bin.size()
                            && forecasts.size() >= expectedForecasts && dead.size() >= all.size(), Duration.ofSeconds(120)),
                    () -> "predictions " + predictions.size() + "/" + gear.size() + ", binary " + binPredictions.size() + "/"
                            + bin.size() + ", forecasts " + forecasts.size() + "/" + expectedForecasts + ", dead letters "
                            + dead.size() + "/" + all.size() + "\n" + table(all, dead) + TestLogs.tail(80));
            Thread.sleep(1500); // a further checkpoint must not add anything
            assertTrue(forecasts.size() > forecastsBefore, "forecasts kept coming after the bad records");
            String rest = cluster.getWebInterfaceURL();
            System.out.println("hostile input: " + all.size() + " kinds\n" + table(all, dead));
            assertEquals(0, failures(rest, job), "restarts and failures of the gearbox + rainfall job");
            assertEquals(0, failures(rest, bjob), "restarts and failures of the binary gearbox job");
            assertEquals("RUNNING", job.getJobStatus().get().name());
            assertEquals("RUNNING", bjob.getJobStatus().get().name());
        } finally {
            job.cancel().get();
            bjob.cancel().get();
        }
        String table = table(all, dead);
        System.out.println("hostile input: " + all.size() + " kinds in " + (System.nanoTime() - started) / 1_000_000_000 + " s\n" + table);
        for (Bad b : all) {
            assertEquals(1, b.letters, "one dead letter for '" + b.kind + "'\n" + table);
            assertTrue(b.got.startsWith(b.reason), "reason of '" + b.kind + "': " + b.got + "; expected " + b.reason + "…\n" + table);
        }
        assertEquals(all.size(), dead.size(), "no dead letter for a good record\n" + table);
        assertEquals(gear.size(), predictions.size(), "one prediction per good window");
        assertEquals(bin.size(), binPredictions.size(), "one prediction per good binary window");
        Map<String, Long> byWindow = new HashMap<>();
        for (Prediction p : predictions) {
            byWindow.merge(p.machine + "@" + p.time, 1L, Long::sum);
        }
        for (VibrationWindow w : gear) {
            assertEquals(1L, byWindow.getOrDefault(w.machine + "@" + w.time, 0L), "window " + w.machine + "@" + w.time);
        }
        assertEquals(expectedForecasts, forecasts.size(), "one forecast per closed step once a window is full");
        List<Long> validAt = forecasts.stream().map(f -> f.validAt).sorted().toList();
        for (int i = 0; i < validAt.size(); i++) {
            assertEquals(RAIN_T0 + (i + RAIN_WINDOW) * HOUR, validAt.get(i), "forecast " + i);
        }
    }

    /** Matches dead letters to the bad records by source topic, partition and offset; the table of kinds and reasons. */
    private static String table(List<Bad> all, List<JsonNode> dead) {
        Map<String, Bad> at = new LinkedHashMap<>();
        for (Bad b : all) {
            b.letters = 0;
            b.got = null;
            at.put(b.topic + "/" + b.partition + "@" + b.offset, b);
        }
        List<String> strays = new ArrayList<>();
        synchronized (dead) {
            for (JsonNode d : dead) {
                String key = d.path("topic").asText() + "/" + d.path("partition").asInt() + "@" + d.path("offset").asLong();
                Bad b = at.get(key);
                if (b == null) {
                    strays.add(key + " " + d.path("reason").asText());
                } else {
                    b.letters++;
                    b.got = d.path("reason").asText();
                }
            }
        }
        StringWriter s = new StringWriter();
        PrintWriter out = new PrintWriter(s);
        out.println("| # | kind | topic | dead letters | reason |");
        out.println("|---|---|---|---|---|");
        int i = 1;
        for (Bad b : all) {
            String reason = b.got == null ? "(none)" : b.got.length() > 160 ? b.got.substring(0, 160) + "…" : b.got;
            out.println("| " + i++ + " | " + b.kind + " | " + b.topic + " | " + b.letters + " | `" + reason.replace("|", "\\|").replace("`", "'") + "` |");
        }
        if (!strays.isEmpty()) {
            out.println("dead letters of no bad record: " + strays);
        }
        out.flush();
        return s.toString();
    }
}
