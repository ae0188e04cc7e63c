package dev.tandem.job.kafka;

import dev.tandem.job.config.TandemConfig;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The security settings every Kafka client of Tandem shares (the jobs' sources and sinks, the tools' producers,
 * readers and admin clients), from the {@code kafka.security.*}, {@code kafka.sasl.*} and {@code kafka.ssl.*} keys,
 * as Kafka client properties. Kafka declares the passwords and the JAAS line as its {@code Password} type, so its
 * clients print them as {@code [hidden]}; Tandem's own printing masks them through {@link TandemConfig#describe}.
 */
public final class KafkaClientSecurity {
    private KafkaClientSecurity() {
    }

    /** Client properties for the configured security; empty for plaintext. */
    public static Map<String, String> properties(TandemConfig c) {
        Map<String, String> p = new LinkedHashMap<>();
        String protocol = c.string("kafka.security.protocol");
        if (protocol.equals("plaintext")) {
            return p;
        }
        p.put("security.protocol", protocol.toUpperCase(Locale.ROOT));
        if (sasl(protocol)) {
            String mechanism = c.string("kafka.sasl.mechanism").toUpperCase(Locale.ROOT);
            p.put("sasl.mechanism", mechanism);
            p.put("sasl.jaas.config", jaas(c, mechanism));
        }
        if (tls(protocol)) {
            p.put("ssl.endpoint.identification.algorithm",
                    c.string("kafka.ssl.endpoint-identification").equals("https") ? "https" : "");
            String trust = c.string("kafka.ssl.truststore.location");
            if (!trust.isEmpty()) {
                p.put("ssl.truststore.location", trust);
                p.put("ssl.truststore.type", c.string("kafka.ssl.truststore.type").toUpperCase(Locale.ROOT));
                putIfSet(p, "ssl.truststore.password", c.string("kafka.ssl.truststore.password"));
            }
            String keys = c.string("kafka.ssl.keystore.location");
            if (!keys.isEmpty()) {
                p.put("ssl.keystore.location", keys);
                p.put("ssl.keystore.type", c.string("kafka.ssl.keystore.type").toUpperCase(Locale.ROOT));
                putIfSet(p, "ssl.keystore.password", c.string("kafka.ssl.keystore.password"));
                putIfSet(p, "ssl.key.password", c.string("kafka.ssl.key.password"));
            }
        }
        return p;
    }

    /** {@link #properties} as {@link Properties}, added to {@code into}. */
    public static Properties addTo(Properties into, TandemConfig c) {
        into.putAll(properties(c));
        return into;
    }

    /**
     * Fails naming the key when the security keys do not fit together: SASL without credentials, credentials or
     * stores given for a protocol that does not use them (a setting that would silently have no effect).
     */
    public static void check(TandemConfig c) {
        String protocol = c.string("kafka.security.protocol");
        boolean user = !c.string("kafka.sasl.username").isEmpty();
        boolean password = !c.string("kafka.sasl.password").isEmpty();
        boolean jaas = !c.string("kafka.sasl.jaas.config").isEmpty();
        if (sasl(protocol)) {
            if (jaas && (user || password)) {
                throw new IllegalArgumentException("configuration keys kafka.sasl.jaas.config and kafka.sasl.username/"
                        + "kafka.sasl.password are both set; allowed: one of them");
            }
            if (!jaas && (!user || !password)) {
                throw new IllegalArgumentException("kafka.security.protocol=" + protocol + " needs credentials: set "
                        + "kafka.sasl.username and kafka.sasl.password, or kafka.sasl.jaas.config");
            }
            if (user && !c.string("kafka.sasl.username").matches("[^\\s\"\\\\]+")) {
                throw new IllegalArgumentException("invalid value '" + dev.tandem.job.config.ConfigKey.quoted(c.string("kafka.sasl.username"))
                        + "' for configuration key kafka.sasl.username; allowed: a name without spaces, quotes or backslashes");
            }
        } else {
            for (String k : new String[]{"kafka.sasl.username", "kafka.sasl.password", "kafka.sasl.jaas.config"}) {
                if (!c.string(k).isEmpty()) {
                    throw new IllegalArgumentException("configuration key " + k + " is set but kafka.security.protocol="
                            + protocol + " does not use it; allowed: kafka.security.protocol=sasl_plaintext or sasl_ssl");
                }
            }
        }
        if (!tls(protocol)) {
            for (String k : new String[]{"kafka.ssl.truststore.location", "kafka.ssl.keystore.location"}) {
                if (!c.string(k).isEmpty()) {
                    throw new IllegalArgumentException("configuration key " + k + " is set but kafka.security.protocol="
                            + protocol + " does not use it; allowed: kafka.security.protocol=ssl or sasl_ssl");
                }
            }
        }
    }

    private static String jaas(TandemConfig c, String mechanism) {
        String explicit = c.string("kafka.sasl.jaas.config");
        if (!explicit.isEmpty()) {
            return explicit;
        }
        String module = mechanism.equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                : "org.apache.kafka.common.security.scram.ScramLoginModule";
        return module + " required username=\"" + quoted(c.string("kafka.sasl.username")) + "\" password=\""
                + quoted(c.string("kafka.sasl.password")) + "\";";
    }

    /** Inside a JAAS quoted string (read by a StreamTokenizer): backslash and double quote escaped. */
    private static String quoted(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static void putIfSet(Map<String, String> p, String key, String value) {
        if (!value.isEmpty()) {
            p.put(key, value);
        }
    }

    private static boolean sasl(String protocol) {
        return protocol.startsWith("sasl_");
    }

    private static boolean tls(String protocol) {
        return protocol.endsWith("ssl");
    }
}
