package dev.snapshotter.snapshot;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A run as {@code GET /api/runs} shows it: every trigger (boot, schedule, API, restore, drill) is one.
 *
 * @param id the run's id, {@code <UTC time>-<reason>}
 * @param status {@code running}, then {@code completed}, {@code failed}, {@code skipped}, {@code cancelled} or, for a
 *        restore's dry run, {@code checked}
 * @param phase what it is doing: {@code waiting}, {@code planning}, {@code creating}, {@code downloading},
 *        {@code publishing}, {@code offsite}, {@code restoring} (a dry run: {@code checking}), {@code drilling}, then
 *        {@code done}
 * @param bytesDone bytes downloaded so far (all targets, all nodes of a cluster)
 * @param bytesExpected bytes the downloads hold in all, as far as known
 * @param bytesPerSecond the download's throughput so far
 * @param secondsLeft an estimate of the download time left, from that throughput
 * @param cancelledBy {@code api} (DELETE /api/runs/{id}) or {@code shutdown}, when the run was cancelled
 * @param file a restore's snapshot (a cluster's: its set), once its checks passed and it is being uploaded
 * @param collection the collection that restore writes into: should the process stop during it, what to check
 * @param report the final report (a snapshot's or a restore's), once finished
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunView(String id, String reason, String status, String phase, Instant startedAt, Instant finishedAt,
        long durationMs, long bytesDone, long bytesExpected, Long bytesPerSecond, Long secondsLeft, String cancelledBy,
        String file, String collection, String message, JsonNode report) {
}
