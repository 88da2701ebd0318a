package dev.snapshotter.qdrant;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Qdrant's JSON envelope: {@code {"result": ..., "status": "ok", "time": 0.1}}. {@code result} is absent on a
 * {@code 202 accepted} answer and on errors; {@code status} is a string or an {@code {"error": "..."}} object.
 * Registered for reflection: {@link QdrantClient} binds it with Jackson from a stream, out of Quarkus's sight.
 */
@RegisterForReflection(targets = { QdrantResponse.class, QdrantResponse.Aliases.class, QdrantResponse.Alias.class,
        QdrantResponse.Exists.class, SnapshotDescription.class, QdrantClient.VersionInfo.class, CollectionInfo.class })
record QdrantResponse<T>(T result, JsonNode status, Double time) {

    record Aliases(List<Alias> aliases) {
    }

    record Alias(@JsonProperty("alias_name") String aliasName, @JsonProperty("collection_name") String collectionName) {
    }

    record Exists(boolean exists) {
    }
}
