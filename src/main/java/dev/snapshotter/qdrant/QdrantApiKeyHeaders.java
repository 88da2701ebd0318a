package dev.snapshotter.qdrant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;

import org.eclipse.microprofile.rest.client.ext.ClientHeadersFactory;

import dev.snapshotter.config.QdrantConfig;

/** Adds Qdrant's {@code api-key} header to every call, only when {@code QDRANT_API_KEY} is set. */
@ApplicationScoped
class QdrantApiKeyHeaders implements ClientHeadersFactory {

    static final String API_KEY_HEADER = "api-key";

    private final QdrantConfig config;

    QdrantApiKeyHeaders(QdrantConfig config) {
        this.config = config;
    }

    @Override
    public MultivaluedMap<String, String> update(MultivaluedMap<String, String> incomingHeaders,
            MultivaluedMap<String, String> clientOutgoingHeaders) {
        MultivaluedMap<String, String> headers = new MultivaluedHashMap<>();
        config.apiKey().filter(key -> !key.isBlank()).ifPresent(key -> headers.add(API_KEY_HEADER, key));
        return headers;
    }
}
