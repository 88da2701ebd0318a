package dev.snapshotter.net;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
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

    /** The most read at once through {@link #paced}: small steps keep the pace even. */
    static final int PACED_READ = 64 << 10;

    private final long bytesPerSecond;
    /** When the bytes taken so far are paid for, on {@link System#nanoTime}'s scale. */
    private long paidUntil = System.nanoTime();

    public RateLimit(long bytesPerSecond) {
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("a rate limit must be positive: " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
    }

    /** {@code in}, read at most {@link #PACED_READ} at a time, each read paced by this limit. */
    public InputStream paced(InputStream in) {
        return paced(in, () -> {
        });
    }

    /**
     * {@code in}, read at most {@link #PACED_READ} at a time, each read paced by this limit; {@code afterWait} runs
     * after each read's wait (the wait is the limit's, not a stall of the other side's).
     */
    public InputStream paced(InputStream in, Runnable afterWait) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int read = super.read();
                if (read >= 0) {
                    take(1);
                    afterWait.run();
                }
                return read;
            }

            @Override
            public int read(byte[] bytes, int offset, int length) throws IOException {
                int read = super.read(bytes, offset, Math.min(length, PACED_READ));
                if (read > 0) {
                    take(read);
                    afterWait.run();
                }
                return read;
            }
        };
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
