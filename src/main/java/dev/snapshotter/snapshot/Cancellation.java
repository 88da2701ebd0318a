package dev.snapshotter.snapshot;

/**
 * How shutdown stops a run: a flag that every wait of the run looks at, at least every few hundred milliseconds
 * (Qdrant's control calls, the boot wait, each tick of the download's socket). The run's thread is never
 * interrupted: it may be a shared worker of the HTTP server, where an interrupt would outlive the run, and an
 * interrupt closes any file channel the run then opens (the ledger's). The run unwinds through its ordinary failure
 * path, which removes its temporary files.
 */
public final class Cancellation {

    /** Shutdown cancelled the run. */
    static final String SHUTDOWN = "shutdown";
    /** {@code DELETE /api/runs/{id}} cancelled the run. */
    static final String API = "api";

    private volatile String by;

    public boolean cancelled() {
        return by != null;
    }

    /** Who cancelled the run ({@link #SHUTDOWN} or {@link #API}), or null while it is not cancelled. */
    public String by() {
        return by;
    }

    void cancel(String who) {
        if (by == null) {
            by = who;
        }
    }
}
