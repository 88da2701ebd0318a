package dev.snapshotter.snapshot;

import java.time.Duration;
import java.time.Instant;

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
     * @param startedAt when the run started: the file name's timestamp
     */
    Outcome snapshot(Instant startedAt) throws SnapshotFailure;

    /**
     * A completed snapshot.
     *
     * @param remoteDeleted null when the target keeps no server-side copy
     * @param message a remark worth the operator's attention, or null
     */
    record Outcome(String collection, String snapshotName, String filePath, long bytesWritten, String sha256,
            Boolean remoteDeleted, String message) {
    }
}
