package dev.snapshotter.snapshot;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;

import dev.snapshotter.offsite.OffsiteReport;
import dev.snapshotter.store.SnapshotFailure;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What one run did, per target: the body of {@code POST /api/snapshot} and the boot result shown by the probes.
 * Field names follow the ones Kairos's own snapshot endpoint returns.
 * <p>
 * Registered for reflection: the resource returns it inside a {@code Response}, so Quarkus cannot see that Jackson
 * serialises it, and a native executable would otherwise answer with empty objects.
 */
@RegisterForReflection(targets = { SnapshotReport.class, SnapshotReport.TargetReport.class,
        SnapshotReport.Reason.class, SnapshotReport.Status.class, SnapshotReport.SetMember.class })
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SnapshotReport(Reason reason, Status status, Instant startedAt, long durationMs,
        List<TargetReport> targets) {

    public enum Reason {
        STARTUP,
        API,
        SCHEDULE,
        /** Not a snapshot: a restore holds the single-flight slot, so no snapshot runs beside it. */
        RESTORE,
        /** A snapshot a restore takes of the collection it is about to overwrite, under its slot. */
        PRE_RESTORE;

        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Whether runs of this reason take snapshots (and are counted as snapshot runs). */
        public boolean snapshots() {
            return this != RESTORE;
        }
    }

    public enum Status {
        COMPLETED,
        FAILED,
        SKIPPED;

        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static SnapshotReport of(Reason reason, Instant startedAt, long durationMs, List<TargetReport> targets) {
        Status status = targets.stream().anyMatch(t -> t.status() == Status.FAILED) ? Status.FAILED
                : targets.stream().anyMatch(t -> t.status() == Status.COMPLETED) ? Status.COMPLETED
                        : Status.SKIPPED;
        return new SnapshotReport(reason, status, startedAt, durationMs, List.copyOf(targets));
    }

    static SnapshotReport skipped(Reason reason, Instant at) {
        return new SnapshotReport(reason, Status.SKIPPED, at, 0, List.of());
    }

    /** A run that did nothing, for the reason {@code message} gives, naming {@code file} when one is concerned. */
    static SnapshotReport skipped(Reason reason, Instant at, List<String> targets, String message, String file) {
        return of(reason, at, 0, targets.stream().map(target -> new TargetReport(target, Status.SKIPPED, null, null,
                file, null, null, null, 0, message, null, null, null, null, null, null)).toList());
    }

    /** The first failed target's failure kind, if any target failed. */
    @JsonIgnore
    public SnapshotFailure.Kind failureKind() {
        return targets.stream().map(TargetReport::failure).filter(f -> f != null).findFirst().orElse(null);
    }

    /**
     * One target's part of a run.
     *
     * @param snapshotName Qdrant's name for its server-side copy
     * @param remoteDeleted whether that server-side copy was deleted after ours was verified
     * @param message why, when failed or skipped, or a remark on a completed run
     * @param pruned snapshot files retention deleted after this run
     * @param orphansRemoved server-side copies of earlier runs that were not kept, deleted from Qdrant by this run
     * @param stage where a failed run failed, when its snapshot was already verified locally: {@code offsite}
     * @param offsite the off-site copy, when {@code QDRANT_SNAPSHOT_S3_BUCKET} is set and the snapshot was verified
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TargetReport(String target, Status status, String collection, String snapshotName,
            String filePath, Long bytesWritten, String sha256, Boolean remoteDeleted, long durationMs, String message,
            List<String> pruned, List<String> orphansRemoved, String stage, OffsiteReport offsite,
            @JsonIgnore SnapshotFailure.Kind failure, List<SetMember> members) {
    }

    /**
     * One file of a cluster backup set.
     *
     * @param node the node's REST URL, as configured in {@code QDRANT_CLUSTER_NODES}
     * @param peerId the peer id it answered as (unsigned 64-bit, as text)
     * @param shards the shard ids the set counts on this file for
     * @param shardsWithData every shard id whose data the file holds
     * @param snapshotName Qdrant's name for the snapshot on that node
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SetMember(String node, String peerId, String filePath, long bytes, String sha256,
            List<Integer> shards, List<Integer> shardsWithData, String snapshotName, boolean remoteDeleted) {
    }
}
