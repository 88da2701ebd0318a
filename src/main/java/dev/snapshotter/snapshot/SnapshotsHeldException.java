package dev.snapshotter.snapshot;

/**
 * A snapshot was asked for while snapshots are held: the boot has not ended its restore of the collection (it failed,
 * or waits to be tried again), so what Qdrant holds may be part of a backup, and a snapshot of it would be the newest
 * backup, kept by retention in place of good ones.
 */
public class SnapshotsHeldException extends RuntimeException {

    SnapshotsHeldException(String why) {
        super(why);
    }
}
