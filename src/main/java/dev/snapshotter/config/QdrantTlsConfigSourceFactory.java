package dev.snapshotter.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;

/**
 * Turns {@code QDRANT_CA_CERT_PATH} into a named TLS configuration for the Qdrant REST client and the snapshot download, only
 * when it is
 * set: Quarkus's TLS registry refuses a PEM trust store with no certificates, and without the variable the JVM's
 * default trust (public CAs, such as Qdrant Cloud's) must apply.
 */
public class QdrantTlsConfigSourceFactory implements ConfigSourceFactory {

    /** The TLS configuration Qdrant calls use: the REST client and the snapshot download. */
    public static final String TLS_NAME = "qdrant";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ConfigValue value = context.getValue("qdrant.ca-cert-path");
        if (value == null || value.getValue() == null || value.getValue().isBlank()) {
            return List.of();
        }
        String path = value.getValue().trim();
        if (!Files.isRegularFile(Path.of(path)) || !Files.isReadable(Path.of(path))) {
            throw new IllegalArgumentException("QDRANT_CA_CERT_PATH " + Path.of(path).toAbsolutePath()
                    + " is not a readable file; it must be the PEM file of the CA that signed Qdrant's certificate.");
        }
        return List.of(new PropertiesConfigSource(Map.of(
                "quarkus.tls." + TLS_NAME + ".trust-store.pem.certs", path,
                "quarkus.rest-client.qdrant.tls-configuration-name", TLS_NAME),
                "QDRANT_CA_CERT_PATH", 275));
    }
}
