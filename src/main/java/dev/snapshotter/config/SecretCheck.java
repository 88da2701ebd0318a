package dev.snapshotter.config;

import java.util.Optional;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.ConfigValue;

import io.quarkus.runtime.StartupEvent;

/**
 * Proves at boot, before anything else runs, that the credentials can travel as HTTP header values: a key pasted
 * with its trailing newline (a secret made from a file) would otherwise fail every call with an error that quotes
 * it. The sentence names the variable and what is wrong, never the value.
 */
@ApplicationScoped
class SecretCheck {

    private final QdrantConfig config;

    SecretCheck(QdrantConfig config) {
        this.config = config;
    }

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        check("QDRANT_API_KEY", config.apiKey());
        check("QDRANT_SNAPSHOT_API_TOKEN", config.snapshot().apiToken());
        check("QDRANT_SNAPSHOT_S3_ACCESS_KEY", config.snapshot().s3().accessKey());
        check("QDRANT_SNAPSHOT_S3_SECRET_KEY", config.snapshot().s3().secretKey());
        S3Settings.requireConsistent(config.snapshot().s3());
        // set but empty (an empty Secret) reads as unset, which would leave the whole API open: refused
        ConfigValue token = ConfigProvider.getConfig().getConfigValue(API_TOKEN_KEY);
        if (token.getRawValue() != null && token.getRawValue().isBlank()) {
            throw new IllegalStateException("QDRANT_SNAPSHOT_API_TOKEN is set but empty, which would leave every "
                    + "endpoint, full-data downloads included, open to anyone who can reach the port; set it to a "
                    + "token, or unset it to run an open API on purpose.");
        }
    }

    static final String API_TOKEN_KEY = "qdrant.snapshot.api-token";

    static void check(String variable, Optional<String> secret) {
        if (secret.isEmpty() || secret.get().isEmpty()) {
            return;
        }
        String problem = problem(secret.get());
        if (problem != null) {
            throw new IllegalStateException(variable + " " + problem + "; it must be printable ASCII with no "
                    + "surrounding spaces, because it is sent as an HTTP header (the value is not shown).");
        }
    }

    private static String problem(String value) {
        int last = value.length() - 1;
        for (int i = 0; i <= last; i++) {
            char c = value.charAt(i);
            String where = i == 0 ? "starts with" : i == last ? "ends with" : "holds";
            if (c == '\n' || c == '\r') {
                return where + " a line break";
            }
            if (c == ' ' || c == '\t') {
                if (i == 0 || i == last) {
                    return where + " a space";
                }
            } else if (c < 0x20 || c == 0x7f) {
                return where + " a control character";
            } else if (c > 0x7e) {
                return where + " a non-ASCII character";
            }
        }
        return null;
    }
}
