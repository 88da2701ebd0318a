package dev.snapshotter.snapshot;

/**
 * How shutdown stops a run: a flag that every wait of the run looks at, at least every few hundred milliseconds
 * (Qdrant's control calls, the boot wait, each tick of the download's socket). The run's thread is never
 * interrupted: it may be a shared worker of the HTTP server, where an interrupt would outlive the run, and an
 * interrupt closes any file channel the run then opens (the ledger's). The run unwinds through its ordinary failure
 * path, which removes its temporary files.
 */
public final class Cancellation {

    private volatile boolean cancelled;

    public boolean cancelled() {
        return cancelled;
    }

    void cancel() {
        cancelled = true;
    }
}
