package dev.snapshotter.snapshot;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A store this service backs up. Targets are beans; the service runs each one in turn, so another store can be
 * added as a bean without touching the resource or the boot code.
 */
public interface SnapshotTarget {

    /** Short, stable name used in reports, logs and metric tags, such as {@code qdrant}. */
    String name();

    /** Waits until the store answers, for the boot snapshot; fails once {@code timeout} has passed. */
    default void awaitAvailable(Duration timeout) throws SnapshotFailure {
    }

    /**
     * Takes one snapshot and leaves it verified on disk, or fails leaving no file behind.
     *
     * @param run when and why the run started (the file name's timestamp), and how shutdown reaches it
     */
    Outcome snapshot(RunContext run) throws SnapshotFailure;

    /**
     * What a target knows of the run it serves.
     *
     * @param startedAt when the run started
     * @param cancellation set when shutdown cancels the run; long blocking work checks it
     */
    record RunContext(SnapshotReport.Reason reason, Instant startedAt, Cancellation cancellation) {
    }

    /**
     * A completed snapshot.
     *
     * @param remoteDeleted null when the target keeps no server-side copy
     * @param message a remark worth the operator's attention, or null
     * @param pruned files retention deleted after it
     * @param orphansRemoved server-side copies of earlier runs deleted by this run
     */
    record Outcome(String collection, String snapshotName, String filePath, long bytesWritten, String sha256,
            Boolean remoteDeleted, String message, List<String> pruned, List<String> orphansRemoved) {
    }
}
