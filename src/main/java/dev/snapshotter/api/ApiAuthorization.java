package dev.snapshotter.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.snapshotter.config.QdrantConfig;

import io.quarkus.runtime.StartupEvent;

/**
 * The bearer token of every endpoint under {@code /api} ({@code QDRANT_SNAPSHOT_API_TOKEN}). Tokens are compared as
 * SHA-256 digests with {@link MessageDigest#isEqual}, so the comparison takes the same time whatever matches.
 */
@ApplicationScoped
public class ApiAuthorization {

    private static final Logger LOG = Logger.getLogger(ApiAuthorization.class);
    /** The scheme, matched in any case (RFC 9110: auth schemes are case-insensitive). */
    private static final String BEARER = "bearer ";

    private final Optional<byte[]> tokenDigest;

    private final boolean serving;

    /** @param serving whether the HTTP server listens at all (the {@code restore} command runs without it) */
    ApiAuthorization(QdrantConfig config,
            @ConfigProperty(name = "quarkus.http.host-enabled", defaultValue = "true") boolean serving) {
        this.tokenDigest = config.snapshot().apiToken().filter(token -> !token.isBlank()).map(ApiAuthorization::digest);
        this.serving = serving;
    }

    void onStart(@Observes StartupEvent event) {
        if (tokenDigest.isEmpty() && serving) {
            LOG.warn("The API is open to anyone who can reach this port: POST /api/snapshot (take a snapshot), "
                    + "GET /api/snapshots (list), GET /api/snapshots/{file} (download the collection's full data, "
                    + "and its .json and .sha256), POST /api/snapshots/{file}/verify, DELETE /api/snapshots/{file}, "
                    + "POST /api/snapshots/{file}/restore and POST /api/restore (write a snapshot into Qdrant), "
                    + "POST /api/drill, "
                    + "GET /api/retention (what retention would delete), and "
                    + "GET and DELETE /api/runs (follow and cancel runs); "
                    + "set QDRANT_SNAPSHOT_API_TOKEN to require a bearer token");
        }
    }

    /**
     * Every request to a resource under {@code /api} (the probes and metrics are not resources): refused with
     * {@link Unauthorized} unless no token is configured or the header carries it, before the resource runs.
     */
    @ServerRequestFilter
    void filter(ContainerRequestContext request) {
        check(request.getHeaderString(HttpHeaders.AUTHORIZATION));
    }

    /** Throws {@link Unauthorized} unless no token is configured or the header carries it. */
    void check(String authorizationHeader) {
        if (tokenDigest.isEmpty()) {
            return;
        }
        String presented = authorizationHeader != null
                && authorizationHeader.regionMatches(true, 0, BEARER, 0, BEARER.length())
                        ? authorizationHeader.substring(BEARER.length()).trim()
                        : "";
        if (!MessageDigest.isEqual(tokenDigest.get(), digest(presented))) {
            throw new Unauthorized(authorizationHeader == null || authorizationHeader.isBlank()
                    ? "This endpoint requires an Authorization: Bearer header (QDRANT_SNAPSHOT_API_TOKEN is set)."
                    : "The bearer token does not match QDRANT_SNAPSHOT_API_TOKEN.");
        }
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("This runtime has no SHA-256", e);
        }
    }

    /** A missing or wrong token. Its message never holds what was presented. */
    static final class Unauthorized extends RuntimeException {
        Unauthorized(String message) {
            super(message);
        }
    }
}
