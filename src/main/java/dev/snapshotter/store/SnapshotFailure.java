package dev.snapshotter.store;

/**
 * Why a target's run failed, in a sentence fit for an operator, and which side failed: the {@link Kind} decides
 * the HTTP status of a manual trigger. Immutable: what the run had done by then is in its
 * {@link SnapshotTarget.Progress}. Its message never holds a credential.
 */
public class SnapshotFailure extends Exception {

    public enum Kind {
        /** Qdrant answered with an error or an answer that breaks its protocol. */
        UPSTREAM,
        /** Qdrant did not answer in time. */
        UPSTREAM_TIMEOUT,
        /** Qdrant could not be reached, or the connection broke mid-transfer. */
        UNREACHABLE,
        /** What arrived is not what Qdrant described: size or checksum differ. */
        VERIFICATION,
        /** Our own disk failed: the snapshot directory vanished, became read-only, or filled up. */
        LOCAL_IO,
        /**
         * Refused before anything was asked of Qdrant, because the snapshot it would make could not be a whole,
         * usable backup (a node holding only some of the shards, a name Qdrant cannot store).
         */
        REFUSED,
        /** Not enough free space to even start the download. */
        INSUFFICIENT_STORAGE,
        /** The off-site copy failed: the object store refused, failed or could not be reached. */
        OFFSITE,
        /** The object store did not answer in time. */
        OFFSITE_TIMEOUT,
        /** The service began to shut down while the run was going. */
        CANCELLED
    }

    private final Kind kind;

    public SnapshotFailure(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public SnapshotFailure(Kind kind, String message) {
        this(kind, message, null);
    }

    public Kind kind() {
        return kind;
    }
}
