package dev.snapshotter.snapshot;

/**
 * Why a target's run failed, in a sentence fit for an operator, and which side failed: the {@link Kind} decides
 * the HTTP status of a manual trigger. Its message never holds a credential.
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
        /** The service began to shut down while the run was going. */
        CANCELLED
    }

    private final Kind kind;
    private String collection;
    private String snapshotName;
    private java.util.List<String> orphansRemoved = java.util.List.of();

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

    /** The collection the run resolved, when it got that far. */
    public String collection() {
        return collection;
    }

    /** Qdrant's snapshot name, when creation succeeded: that copy is kept on the server. */
    public String snapshotName() {
        return snapshotName;
    }

    /** Qdrant copies of earlier runs this run deleted before it failed. */
    public java.util.List<String> orphansRemoved() {
        return orphansRemoved;
    }

    SnapshotFailure at(String collection, String snapshotName) {
        this.collection = collection;
        this.snapshotName = snapshotName;
        return this;
    }

    SnapshotFailure removed(java.util.List<String> orphans) {
        this.orphansRemoved = java.util.List.copyOf(orphans);
        return this;
    }
}
