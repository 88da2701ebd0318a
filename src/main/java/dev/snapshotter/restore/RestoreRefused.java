package dev.snapshotter.restore;

/**
 * A restore refused before anything was sent to Qdrant, with one sentence saying why: the file does not verify, the
 * target Qdrant's version cannot read it, the target collection exists, Qdrant runs as a cluster.
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
        UNPROCESSABLE
    }

    private final Kind kind;

    public RestoreRefused(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
