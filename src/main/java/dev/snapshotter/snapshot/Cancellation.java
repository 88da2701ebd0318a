package dev.snapshotter.snapshot;

import java.util.function.BooleanSupplier;

/**
 * How shutdown stops a run: a flag that every wait of the run looks at, at least every few hundred milliseconds
 * (Qdrant's control calls, the boot wait, each tick of the download's socket). The run's thread is never
 * interrupted: it may be a shared worker of the HTTP server, where an interrupt would outlive the run, and an
 * interrupt closes any file channel the run then opens (the ledger's). The run unwinds through its ordinary failure
 * path, which removes its temporary files.
 * <p>
 * Work that reaches a point from which a cancel would stop nothing (a restore whose upload Qdrant has whole) says so
 * with {@link #noLongerStoppable}: a cancel asked later is refused with that reason instead of being taken and ignored.
 */
public final class Cancellation implements BooleanSupplier {

    /** Shutdown cancelled the run. */
    static final String SHUTDOWN = "shutdown";
    /** {@code DELETE /api/runs/{id}} cancelled the run. */
    static final String API = "api";

    private volatile String by;
    private String unstoppable;

    /** A run not cancelled. */
    public Cancellation() {
        this(null);
    }

    /** A run cancelled by {@code by} already, or not when it is null. */
    Cancellation(String by) {
        this.by = by;
    }

    public boolean cancelled() {
        return by != null;
    }

    @Override
    public boolean getAsBoolean() {
        return cancelled();
    }

    /** Who cancelled the run ({@link #SHUTDOWN} or {@link #API}), or null while it is not cancelled. */
    public String by() {
        return by;
    }

    /**
     * From here a cancel stops nothing: one asked later is refused with {@code why}. A cancel taken before stays taken
     * (the run says who asked).
     */
    public synchronized void noLongerStoppable(String why) {
        if (by == null && unstoppable == null) {
            unstoppable = why;
        }
    }

    /** Cancels the run, unless it can no longer be stopped. */
    synchronized void cancel(String who) throws TooLate {
        if (by == null) {
            if (unstoppable != null) {
                throw new TooLate(unstoppable);
            }
            by = who;
        }
    }

    /** A cancel asked once the run could no longer be stopped; its message says why. */
    public static final class TooLate extends Exception {

        TooLate(String why) {
            super(why, null, false, false);
        }
    }
}
