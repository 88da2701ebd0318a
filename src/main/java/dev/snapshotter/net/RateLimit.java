package dev.snapshotter.net;

import java.io.InterruptedIOException;
import java.util.concurrent.TimeUnit;

/**
 * A limit on the bytes per second that the transfers sharing it move together: each transfer takes the bytes it has
 * just moved and waits until the limit has room for them. The room is kept as virtual time (when the bytes taken so far
 * are paid for), so that transfers going at once share the rate. A wait shorter than {@link #LEAST_WAIT} is not slept
 * but carried to a later take (the JDK sleeps a whole millisecond at least, which would pace many small reads far below
 * the rate), and an oversleep of up to {@link #CREDIT} is made up by the takes after it; so is a spell of that length
 * without takes, the only burst the limit allows.
 */
public final class RateLimit {

    private static final long NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);
    static final long LEAST_WAIT = TimeUnit.MILLISECONDS.toNanos(2);
    static final long CREDIT = TimeUnit.MILLISECONDS.toNanos(50);

    private final long bytesPerSecond;
    /** When the bytes taken so far are paid for, on {@link System#nanoTime}'s scale. */
    private long paidUntil = System.nanoTime();

    public RateLimit(long bytesPerSecond) {
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("a rate limit must be positive: " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
    }

    /** Waits until the limit has room for {@code bytes} just moved. */
    public void take(int bytes) throws InterruptedIOException {
        long wait;
        synchronized (this) {
            long now = System.nanoTime();
            paidUntil = Math.max(paidUntil, now - CREDIT) + bytes * NANOS_PER_SECOND / bytesPerSecond;
            wait = paidUntil - now;
        }
        if (wait >= LEAST_WAIT) {
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while the upload rate limit paced it");
            }
        }
    }
}
