package dev.tandem.job.kafka;

import dev.tandem.job.config.TandemConfig;
import org.apache.kafka.common.security.JaasContext;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code kafka.security.*} keys become Kafka client properties, fit together or fail naming the key, and no
 * secret shows where the configuration is printed.
 */
class KafkaClientSecurityTest {
    private static final String PASSWORD = "s3cr\"et\\pw";

    private static TandemConfig saslSsl(String... more) {
        TandemConfig c = TandemConfig.defaults(
                "kafka.security.protocol=SASL_SSL",
                "kafka.sasl.mechanism=SCRAM-SHA-256",
                "kafka.sasl.username=tandem",
                "kafka.sasl.password=" + PASSWORD,
                "kafka.ssl.truststore.location=/etc/tandem/ca.p12",
                "kafka.ssl.truststore.password=trust-pw");
        return more.length == 0 ? c : c.with(more);
    }

    @Test
    void plaintextAddsNothing() {
        assertEquals(Map.of(), KafkaClientSecurity.properties(TandemConfig.defaults()));
    }

    @Test
    void saslSslBecomesClientPropertiesWithAJaasLineKafkaParses() {
        Map<String, String> p = KafkaClientSecurity.properties(saslSsl());
        assertEquals("SASL_SSL", p.get("security.protocol"));
        assertEquals("SCRAM-SHA-256", p.get("sasl.mechanism"));
        assertEquals("/etc/tandem/ca.p12", p.get("ssl.truststore.location"));
        assertEquals("PKCS12", p.get("ssl.truststore.type"));
        assertEquals("trust-pw", p.get("ssl.truststore.password"));
        assertEquals("https", p.get("ssl.endpoint.identification.algorithm"));
        assertFalse(p.containsKey("ssl.keystore.location"));
        // Kafka's own parser reads the user and the password back, quote and backslash included
        var entry = JaasContext.loadClientContext(Map.of("sasl.jaas.config", new Password(p.get("sasl.jaas.config"))))
                .configurationEntries().get(0);
        assertEquals("org.apache.kafka.common.security.scram.ScramLoginModule", entry.getLoginModuleName());
        assertEquals("tandem", entry.getOptions().get("username"));
        assertEquals(PASSWORD, entry.getOptions().get("password"));
    }

    @Test
    void plainMechanismAndAnExplicitJaasLineAndAClientKeyStore() {
        String jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";";
        Map<String, String> p = KafkaClientSecurity.properties(saslSsl("kafka.sasl.mechanism=plain",
                "kafka.sasl.username=", "kafka.sasl.password=", "kafka.sasl.jaas.config=" + jaas,
                "kafka.ssl.keystore.location=/k.jks", "kafka.ssl.keystore.type=jks", "kafka.ssl.keystore.password=kp",
                "kafka.ssl.key.password=kk", "kafka.ssl.endpoint-identification=none"));
        assertEquals("PLAIN", p.get("sasl.mechanism"));
        assertEquals(jaas, p.get("sasl.jaas.config"));
        assertEquals("JKS", p.get("ssl.keystore.type"));
        assertEquals("kp", p.get("ssl.keystore.password"));
        assertEquals("kk", p.get("ssl.key.password"));
        assertEquals("", p.get("ssl.endpoint.identification.algorithm"));
    }

    @Test
    void settingsThatDoNotFitFailNamingTheKey() {
        String missing = assertThrows(IllegalArgumentException.class,
                () -> TandemConfig.defaults("kafka.security.protocol=sasl_ssl", "kafka.sasl.username=u")).getMessage();
        assertTrue(missing.contains("kafka.sasl.password"), missing);
        String both = assertThrows(IllegalArgumentException.class,
                () -> saslSsl("kafka.sasl.jaas.config=x required;")).getMessage();
        assertTrue(both.contains("kafka.sasl.jaas.config"), both);
        String unused = assertThrows(IllegalArgumentException.class,
                () -> TandemConfig.defaults("kafka.sasl.password=" + PASSWORD)).getMessage();
        assertTrue(unused.contains("kafka.sasl.password") && unused.contains("sasl_ssl"), unused);
        assertFalse(unused.contains(PASSWORD), "a secret in an error message: " + unused);
        String noTls = assertThrows(IllegalArgumentException.class,
                () -> TandemConfig.defaults("kafka.ssl.truststore.location=/ca.p12")).getMessage();
        assertTrue(noTls.contains("kafka.ssl.truststore.location"), noTls);
        String protocol = assertThrows(IllegalArgumentException.class,
                () -> TandemConfig.defaults("kafka.security.protocol=tls")).getMessage();
        assertTrue(protocol.contains("kafka.security.protocol") && protocol.contains("sasl_ssl"), protocol);
    }

    @Test
    void secretsAreMaskedWhereverTheConfigurationIsPrinted() {
        TandemConfig c = saslSsl("kafka.ssl.keystore.location=/k.p12", "kafka.ssl.keystore.password=key-store-pw");
        String described = c.describe();
        assertTrue(described.contains("kafka.sasl.username=tandem"), described);
        assertTrue(described.contains("kafka.sasl.password=" + TandemConfig.MASK), described);
        assertTrue(described.contains("kafka.ssl.truststore.password=" + TandemConfig.MASK), described);
        for (String printed : new String[]{described, c.toString(), c.effective().toString()}) {
            for (String secret : new String[]{PASSWORD, "trust-pw", "key-store-pw"}) {
                assertFalse(printed.contains(secret), "secret " + secret + " in " + printed);
            }
        }
        assertEquals("", c.effective().get("kafka.ssl.key.password"), "an unset secret prints as unset");
        assertEquals("(the defaults)", TandemConfig.defaults().describe());
    }
}
