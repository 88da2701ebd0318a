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
    private final String verificationProblem;

    public RestoreRefused(Kind kind, String message) {
        this(kind, message, null);
    }

    private RestoreRefused(Kind kind, String message, String verificationProblem) {
        super(message);
        this.kind = kind;
        this.failure = null;
        this.verificationProblem = verificationProblem;
    }

    /**
     * The local copy of {@code file} failed its re-read against its checksum file (and is marked so), for
     * {@code problem} (what it hashed to, or what the archive check found).
     */
    static RestoreRefused failedVerification(String file, String problem) {
        return new RestoreRefused(Kind.UNPROCESSABLE, file + " fails verification, so it is not restored: " + problem,
                problem);
    }

    /** The snapshot could not be brought in, for this failure ({@link Kind#UNAVAILABLE}). */
    public RestoreRefused(SnapshotFailure.Kind failure, String message) {
        super(message);
        this.kind = Kind.UNAVAILABLE;
        this.failure = failure;
        this.verificationProblem = null;
    }

    /** What the local copy's failed re-read found ({@link #failedVerification}), or null for another refusal. */
    String verificationProblem() {
        return verificationProblem;
    }

    public Kind kind() {
        return kind;
    }

    /** For {@link Kind#UNAVAILABLE}: what failed; null otherwise. */
    public SnapshotFailure.Kind failure() {
        return failure;
    }
}
