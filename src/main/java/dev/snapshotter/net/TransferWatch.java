package dev.snapshotter.net;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Watches an upload whose writes can block without end (a socket write has no timeout of its own): each time the upload
 * would have been silent for the stall timeout, it looks, and when no byte has moved for that long it cuts the current
 * connection (closing it ends the blocked write with an exception) and remembers it did. It looks from the common
 * pool's delayed executor: no thread of its own. Close it when the upload ends.
 */
public final class TransferWatch implements AutoCloseable {

    private final Duration stallTimeout;
    private volatile long lastProgress = System.nanoTime();
    private volatile Runnable cut;
    private volatile boolean stalled;
    private volatile boolean closed;

    private TransferWatch(Duration stallTimeout) {
        this.stallTimeout = stallTimeout;
    }

    public static TransferWatch start(Duration stallTimeout) {
        TransferWatch watch = new TransferWatch(stallTimeout);
        watch.look();
        return watch;
    }

    /** A connection begins (a first attempt, or another after a cut): {@code cut} ends it. */
    public void attempt(Runnable cut) {
        this.cut = cut;
        stalled = false;
        progress();
    }

    /** Bytes moved. */
    public void progress() {
        lastProgress = System.nanoTime();
    }

    /** Whether the connection of the latest attempt was cut for silence. */
    public boolean stalled() {
        return stalled;
    }

    @Override
    public void close() {
        closed = true;
    }

    private void look() {
        if (closed) {
            return;
        }
        long silent = System.nanoTime() - lastProgress;
        if (silent >= stallTimeout.toNanos()) {
            stalled = true;
            Runnable current = cut;
            if (current != null) {
                current.run();
            }
            silent = 0;
        }
        CompletableFuture.delayedExecutor(stallTimeout.toNanos() - silent, TimeUnit.NANOSECONDS).execute(this::look);
    }
}
