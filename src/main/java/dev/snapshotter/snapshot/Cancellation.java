package dev.snapshotter.snapshot;

/**
 * How shutdown stops a run: the flag is set and the run's thread interrupted. Calls that wait on something
 * interruptible (Qdrant's control calls, the boot wait) end at once; the download, whose socket reads cannot be
 * interrupted, checks the flag at least once a second. The run then unwinds through its ordinary failure path, which
 * removes its temporary files.
 */
public final class Cancellation {

    private final Thread runner = Thread.currentThread();
    private volatile boolean cancelled;

    public boolean cancelled() {
        return cancelled;
    }

    void cancel() {
        cancelled = true;
        runner.interrupt();
    }
}
