package dev.snapshotter.offsite;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A run's off-site copy, the {@code offsite} section of a target's report.
 *
 * @param key the snapshot's object key in {@code bucket}
 * @param bytes the bytes uploaded by this run (0 when the object was already there)
 * @param sha256 the snapshot's SHA-256 (hex), the one the local file was verified with
 * @param checksum the checksum S3 stored and returned on the confirming {@code HEAD} (SHA-256, composite over the
 *        parts: {@code <base64>-<parts>})
 * @param message why, when it failed; a remark otherwise
 * @param caughtUp older snapshots this run copied off-site, which an earlier run could not
 * @param pruned snapshots off-site retention deleted from the bucket
 * @param localRemoved the local file removed once its copy was confirmed ({@code QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false})
 * @param lockedUntil until when S3 Object Lock keeps the copy from deletion ({@code QDRANT_SNAPSHOT_S3_LOCK_MODE}), as
 *        S3 shows it; a set's: the earliest of the members this copy wrote (its {@code set.json}'s when it was there)
 */
@RegisterForReflection(targets = { OffsiteReport.class, OffsiteReport.Status.class })
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OffsiteReport(Status status, String bucket, String key, Long bytes, long durationMs, String sha256,
        String checksum, String message, List<String> caughtUp, List<String> pruned, Boolean localRemoved,
        Instant lockedUntil) {

    public enum Status {
        @JsonProperty("completed")
        COMPLETED,
        @JsonProperty("failed")
        FAILED
    }

    static OffsiteReport failed(String bucket, String key, long durationMs, String sha256, String message) {
        return new OffsiteReport(Status.FAILED, bucket, key, null, durationMs, sha256, null, message, null, null,
                null, null);
    }
}
