package dev.snapshotter.snapshot;

import java.time.Instant;

/** A trigger arrived while a run holds the single-flight slot. */
public class SnapshotInProgressException extends RuntimeException {

    private final SnapshotReport.Reason runningReason;
    private final Instant runningSince;

    SnapshotInProgressException(SnapshotReport.Reason runningReason, Instant runningSince) {
        super((runningReason.snapshots() ? "A snapshot (reason " + runningReason.label() + ")" : "A restore")
                + " has been running since " + runningSince + "; try again when it has finished.");
        this.runningReason = runningReason;
        this.runningSince = runningSince;
    }

    public SnapshotReport.Reason runningReason() {
        return runningReason;
    }

    public Instant runningSince() {
        return runningSince;
    }
}
