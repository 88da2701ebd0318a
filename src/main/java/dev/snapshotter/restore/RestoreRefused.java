package dev.snapshotter.restore;

import dev.snapshotter.store.SnapshotFailure;

/**
 * A restore refused before anything was sent to Qdrant, with one sentence saying why: the file does not verify, the
 * target Qdrant's version cannot read it, the target collection exists, it lacks shards' data.
 */
public class RestoreRefused extends Exception {

    public enum Kind {
        /** No listed snapshot matches. */
        NOT_FOUND,
        /** The request itself cannot be carried out (a target name Qdrant does not take). */
        INVALID,
        /** The state of Qdrant forbids it (the collection exists, a cluster, a version it cannot read). */
        CONFLICT,
        /** The snapshot itself cannot be restored (it fails verification, or lacks shards' data). */
        UNPROCESSABLE,
        /**
         * The snapshot could not be brought in: the bucket failed or could not be reached, or the directory has no room
         * for it ({@link #failure()} says which).
         */
        UNAVAILABLE
    }

    private final Kind kind;
    private final SnapshotFailure.Kind failure;
    private final boolean failedVerification;

    public RestoreRefused(Kind kind, String message) {
        this(kind, message, false);
    }

    private RestoreRefused(Kind kind, String message, boolean failedVerification) {
        super(message);
        this.kind = kind;
        this.failure = null;
        this.failedVerification = failedVerification;
    }

    /** The snapshot's local copy failed its re-read against its checksum file (and is marked so). */
    static RestoreRefused failedVerification(String message) {
        return new RestoreRefused(Kind.UNPROCESSABLE, message, true);
    }

    /** The snapshot could not be brought in, for this failure ({@link Kind#UNAVAILABLE}). */
    public RestoreRefused(SnapshotFailure.Kind failure, String message) {
        super(message);
        this.kind = Kind.UNAVAILABLE;
        this.failure = failure;
        this.failedVerification = false;
    }

    /** Whether the snapshot's local copy failed its re-read ({@link #failedVerification(String)}). */
    boolean failedVerification() {
        return failedVerification;
    }

    public Kind kind() {
        return kind;
    }

    /** For {@link Kind#UNAVAILABLE}: what failed; null otherwise. */
    public SnapshotFailure.Kind failure() {
        return failure;
    }
}
