package dev.snapshotter.net;

import java.io.InterruptedIOException;
import java.util.concurrent.TimeUnit;

/**
 * A limit on the bytes per second that the transfers sharing it move together: each transfer takes the bytes it has
 * just moved and waits until the limit has room for them. The room is kept as virtual time (when the bytes taken so
 * far are paid for), so transfers going at once share the rate, a wait that oversleeps is made up by the next, and an
 * idle spell earns no burst.
 */
public final class RateLimit {

    private static final long NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);

    private final long bytesPerSecond;
    /** When the bytes taken so far are paid for, on {@link System#nanoTime}'s scale. */
    private long paidUntil = System.nanoTime();

    public RateLimit(long bytesPerSecond) {
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("a rate limit must be positive: " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
    }

    public long bytesPerSecond() {
        return bytesPerSecond;
    }

    /** Waits until the limit has room for {@code bytes} just moved. */
    public void take(int bytes) throws InterruptedIOException {
        long wait;
        synchronized (this) {
            long now = System.nanoTime();
            paidUntil = Math.max(paidUntil, now) + bytes * NANOS_PER_SECOND / bytesPerSecond;
            wait = paidUntil - now;
        }
        if (wait > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while the upload rate limit paced it");
            }
        }
    }
}
