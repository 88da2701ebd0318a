package dev.snapshotter.qdrant;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Qdrant's {@code GET /collections/{c}} result, its values as Qdrant sent them (each null when it sent none): a
 * manifest keeps them as they were, a restore reads the status, the vectors and the shard number.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CollectionInfo(JsonNode status, @JsonProperty("points_count") JsonNode pointsCount,
        @JsonProperty("segments_count") JsonNode segmentsCount, JsonNode config) {

    /** The status ({@code green}, {@code yellow}, {@code grey}, {@code red}), or null. */
    public String statusText() {
        return status == null || status.isNull() ? null : status.asText();
    }

    /** The vectors' configuration ({@code config.params.vectors}), or null when Qdrant sent none. */
    public JsonNode vectors() {
        JsonNode vectors = config == null ? null : config.path("params").path("vectors");
        return vectors == null || vectors.isMissingNode() ? null : vectors;
    }

    /** The number of shards ({@code config.params.shard_number}; Qdrant's default is 1). */
    public int shardNumber() {
        return config == null ? 1 : config.path("params").path("shard_number").asInt(1);
    }
}
