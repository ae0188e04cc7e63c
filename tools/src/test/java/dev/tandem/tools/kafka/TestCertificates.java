package dev.tandem.tools.kafka;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates made by a test with the JDK's {@code keytool} (run as a process): a self-signed CA, a broker key
 * pair whose certificate the CA signs for 127.0.0.1 and localhost (so hostname verification stays on), and a trust
 * store holding the CA. All PKCS12, valid two days, EC P-256 keys (fast to make on a loaded machine).
 */
public record TestCertificates(Path brokerKeyStore, Path trustStore, String password) {

    public static TestCertificates create(Path dir, String password) throws IOException, InterruptedException {
        Path ca = dir.resolve("ca.p12");
        Path broker = dir.resolve("broker.p12");
        Path trust = dir.resolve("truststore.p12");
        String csr = dir.resolve("broker.csr").toString();
        String signed = dir.resolve("broker.crt").toString();
        String caCert = dir.resolve("ca.crt").toString();
        keytool(dir, "-genkeypair", "-alias", "ca", "-dname", "CN=Tandem test CA", "-keyalg", "EC", "-groupname",
                "secp256r1", "-ext", "bc:c", "-validity", "2", "-storetype", "PKCS12", "-keystore", ca.toString(),
                "-storepass", password);
        keytool(dir, "-genkeypair", "-alias", "broker", "-dname", "CN=localhost", "-keyalg", "EC", "-groupname",
                "secp256r1", "-validity", "2", "-storetype", "PKCS12", "-keystore", broker.toString(), "-storepass", password);
        keytool(dir, "-certreq", "-alias", "broker", "-keystore", broker.toString(), "-storepass", password, "-file", csr);
        keytool(dir, "-gencert", "-alias", "ca", "-keystore", ca.toString(), "-storepass", password, "-infile", csr,
                "-outfile", signed, "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-rfc");
        keytool(dir, "-exportcert", "-alias", "ca", "-keystore", ca.toString(), "-storepass", password, "-file", caCert, "-rfc");
        keytool(dir, "-importcert", "-alias", "ca", "-file", caCert, "-keystore", broker.toString(), "-storepass", password,
                "-noprompt");
        keytool(dir, "-importcert", "-alias", "broker", "-file", signed, "-keystore", broker.toString(), "-storepass",
                password, "-noprompt");
        keytool(dir, "-importcert", "-alias", "ca", "-file", caCert, "-storetype", "PKCS12", "-keystore", trust.toString(),
                "-storepass", password, "-noprompt");
        return new TestCertificates(broker, trust, password);
    }

    private static void keytool(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-J-XX:TieredStopAtLevel=1", "-J-Xshare:auto"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("keytool " + args[0] + " failed: " + out);
        }
    }
}
