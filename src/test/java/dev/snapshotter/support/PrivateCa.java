package dev.snapshotter.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away certificate authority and a {@code localhost} server certificate it signed, made with the JDK's
 * {@code keytool}: the CA as PEM (what operators give {@code QDRANT_CA_CERT_PATH}) and the server key store.
 */
public record PrivateCa(Path caPem, Path serverKeystore) {

    static final String PASSWORD = "changeit";

    public static PrivateCa create() {
        try {
            Path dir = Files.createTempDirectory("private-ca-");
            Path ca = dir.resolve("ca.p12");
            Path server = dir.resolve("server.p12");
            Path caPem = dir.resolve("ca.pem");
            Path csr = dir.resolve("server.csr");
            Path serverPem = dir.resolve("server.pem");
            keytool("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=snapshotter test CA",
                    "-ext", "bc:c", "-validity", "2", "-keystore", ca, "-storetype", "PKCS12", "-storepass", PASSWORD);
            keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca, "-storepass", PASSWORD, "-file", caPem);
            keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                    "-validity", "2", "-keystore", server, "-storetype", "PKCS12", "-storepass", PASSWORD);
            keytool("-certreq", "-alias", "server", "-keystore", server, "-storepass", PASSWORD, "-file", csr);
            keytool("-gencert", "-alias", "ca", "-keystore", ca, "-storepass", PASSWORD, "-infile", csr, "-outfile",
                    serverPem, "-rfc", "-validity", "2", "-ext", "SAN=dns:localhost,ip:127.0.0.1");
            keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caPem, "-keystore", server, "-storepass", PASSWORD);
            keytool("-importcert", "-alias", "server", "-file", serverPem, "-keystore", server, "-storepass", PASSWORD);
            return new PrivateCa(caPem, server);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("Could not make the test CA", e);
        }
    }

    private static void keytool(Object... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        for (Object arg : args) {
            command.add(arg.toString());
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("keytool " + command.subList(1, 3) + " failed: " + output);
        }
    }
}
