package dev.snapshotter.qdrant;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Qdrant's description of a stored snapshot. {@code size} and {@code checksum} may be absent: S3 storage and
 * snapshots placed by hand have no checksum, and a lenient parse keeps an odd answer a clear failure, not a crash.
 *
 * @param name file name only, ending in {@code .snapshot}
 * @param creationTime naive UTC {@code YYYY-MM-DDTHH:MM:SS}, or null when the file system has no birth time
 * @param size bytes of the stored file
 * @param checksum lowercase hex SHA-256 of the stored file
 */
public record SnapshotDescription(String name, @JsonProperty("creation_time") String creationTime, Long size,
        String checksum) {
}
