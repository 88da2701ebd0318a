package dev.snapshotter.snapshot;

/**
 * A snapshot was asked for while snapshots are held: the boot's restore of the collection failed, so what Qdrant holds
 * may be part of a backup, and a snapshot of it would be the newest backup, kept by retention in place of good ones.
 */
public class SnapshotsHeldException extends RuntimeException {

    SnapshotsHeldException(String why) {
        super(why);
    }
}
