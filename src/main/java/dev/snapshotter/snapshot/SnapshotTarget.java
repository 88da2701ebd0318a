package dev.snapshotter.snapshot;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.snapshotter.store.SnapshotFailure;

/**
 * A store this service backs up. Targets are beans; the service runs each one in turn, so another store can be
 * added as a bean without touching the resource or the boot code.
 */
public interface SnapshotTarget {

    /** Short, stable name used in reports, logs and metric tags, such as {@code qdrant}. */
    String name();

    /**
     * Waits until the store answers, for the boot snapshot; fails once {@code timeout} has passed, or at once when
     * the run is cancelled.
     */
    default void awaitAvailable(Duration timeout, Cancellation cancellation) throws SnapshotFailure {
    }

    /**
     * Takes one snapshot and leaves it verified on disk, or fails leaving no file behind.
     *
     * @param run when and why the run started (the file name's timestamp), and how shutdown reaches it
     */
    Outcome snapshot(RunContext run) throws SnapshotFailure;

    /**
     * What becomes of the store's own copy of a snapshot that a failed run left there ({@code copy}, as the store
     * named it), in the words of a failed run's report; the next run removes it.
     *
     * @param cancelled whether the run was cancelled (shutdown, {@code DELETE /api/runs}) rather than failed
     */
    default String copyLeft(String copy, boolean cancelled) {
        return "the store's copy " + copy + " is left for the next run to remove";
    }

    /** Failures that do not heal by themselves: while one stands, readiness is DOWN. */
    enum Blocking {
        /** The snapshot directory takes no files (removed, unmounted, read-only). */
        STORAGE("the snapshot directory takes no files"),
        /** The store refuses our credential. */
        CREDENTIAL("the credential is refused");

        private final String condition;

        Blocking(String condition) {
            this.condition = condition;
        }

        public String condition() {
            return condition;
        }
    }

    /** Whether {@code failure} does not heal by itself, and how; null for failures a later run may not meet. */
    default Blocking blocking(SnapshotFailure failure) {
        return null;
    }

    /** Whether the condition that made a run fail as {@code cause} is gone now; a quick look, for readiness. */
    default boolean recovered(Blocking cause) {
        return false;
    }

    /**
     * What a target knows of the run it serves.
     *
     * @param startedAt when the run started
     * @param cancellation set when shutdown cancels the run; long blocking work checks it
     * @param skipIfNewerThan when set, the target skips the run if its newest verified snapshot is younger than
     *        this ({@code QDRANT_SNAPSHOT_ON_START_MIN_INTERVAL}, for the boot snapshot)
     */
    record RunContext(SnapshotReport.Reason reason, Instant startedAt, Cancellation cancellation,
            Duration skipIfNewerThan, Progress progress) {
    }

    /**
     * What a run of one target has done so far, filled by the target as it goes: the report of a run that fails is
     * made from it, so a failure carries only what failed. Once the report is made ({@link #finish}), it takes no
     * more: what a report says is all the run did.
     */
    final class Progress {

        private String collection;
        private String snapshotName;
        private final List<String> orphansRemoved = new ArrayList<>();
        private final List<String> remarks = new ArrayList<>();
        private final Progress parent;
        private volatile String phase = "waiting";
        private volatile boolean finished;

        /** The progress of a whole run. */
        Progress() {
            this(null);
        }

        /** The progress of a part of a run (one node of a cluster): its phases are the run's too. */
        Progress(Progress parent) {
            this.parent = parent;
        }

        /** What the run does now ({@code creating}, {@code downloading}, {@code publishing}...). */
        void phase(String now) {
            requireOpen();
            phase = now;
            if (parent != null) {
                parent.phase(now);
            }
        }

        String phase() {
            return phase;
        }

        /** The collection the run resolved, once it has. */
        void collection(String resolved) {
            requireOpen();
            this.collection = resolved;
        }

        /** Qdrant's name for the snapshot this run made, while that copy is on the server. */
        void snapshotName(String name) {
            requireOpen();
            this.snapshotName = name;
        }

        String collection() {
            return collection;
        }

        String snapshotName() {
            return snapshotName;
        }

        /** A copy of an earlier run that this run deleted from Qdrant. */
        synchronized void orphanRemoved(String name) {
            requireOpen();
            orphansRemoved.add(name);
        }

        /** Qdrant copies of earlier runs this run deleted, in the order it deleted them. */
        synchronized List<String> orphansRemoved() {
            return List.copyOf(orphansRemoved);
        }

        /** Something the operator should know of a run that goes on: what could not be done or learned, and why. */
        synchronized void remark(String remark) {
            requireOpen();
            remarks.add(remark);
        }

        /** The run's report is made from what this holds now: it takes nothing more. */
        void finish() {
            finished = true;
        }

        private void requireOpen() {
            if (finished) {
                throw new IllegalStateException("The run's report is already made; it takes nothing more");
            }
        }

        /** The remarks so far, in their order. */
        synchronized List<String> remarks() {
            return List.copyOf(remarks);
        }

        /** The remarks so far as one message, or null when there are none. */
        synchronized String message() {
            return remarks.isEmpty() ? null : String.join("; ", remarks);
        }
    }

    /**
     * A completed snapshot, or one the target decided against.
     *
     * @param status {@code COMPLETED} or {@code SKIPPED}
     * @param filePath the file written, or for a skip the file that made it unnecessary
     * @param remoteDeleted null when the target keeps no server-side copy
     * @param message a remark worth the operator's attention (why, for a skip), or null
     * @param pruned files retention deleted after it
     * @param members the files of a cluster backup set ({@code filePath} is then the set's directory), or null
     */
    record Outcome(SnapshotReport.Status status, String collection, String snapshotName, String filePath,
            long bytesWritten, String sha256, Boolean remoteDeleted, String message, List<String> pruned,
            List<SnapshotReport.SetMember> members) {

        static Outcome skipped(String collection, String file, String message) {
            return new Outcome(SnapshotReport.Status.SKIPPED, collection, null, file, 0, null, null, message,
                    List.of(), null);
        }
    }
}
