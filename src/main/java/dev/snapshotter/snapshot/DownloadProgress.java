package dev.snapshotter.snapshot;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

import org.jboss.logging.Logger;

/**
 * A download's body counted as it is read: every chunk moves {@code snapshotter_run_bytes{kind="done"}}, and a
 * progress line is logged when both 10 % more of the snapshot and 30 s have passed since the last one (the rarer of
 * the two), with the throughput and an estimate of the time left. Small downloads log nothing.
 */
final class DownloadProgress extends FilterInputStream {

    private static final Logger LOG = Logger.getLogger(DownloadProgress.class);
    static final long LINE_EVERY_NANOS = 30_000_000_000L;
    static final double LINE_EVERY_FRACTION = 0.10;

    private final LongConsumer counted;
    private final String what;
    private final long expected;
    private final LongSupplier clock;
    private final long started;
    private long done;
    private long loggedBytes;
    private long loggedAt;

    /**
     * @param counted told every chunk's size as it is read (the run's gauge)
     * @param what the download, in the progress line's words
     * @param expected its size, or -1 when unknown (no progress line then)
     * @param clock nanoseconds, as {@link System#nanoTime()}
     */
    DownloadProgress(InputStream body, LongConsumer counted, String what, long expected, LongSupplier clock) {
        super(body);
        this.counted = counted;
        this.what = what;
        this.expected = expected;
        this.clock = clock;
        this.started = clock.getAsLong();
        this.loggedAt = started;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            advance(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int read = super.read(buffer, offset, length);
        if (read > 0) {
            advance(read);
        }
        return read;
    }

    private void advance(long bytes) {
        done += bytes;
        counted.accept(bytes);
        long now = clock.getAsLong();
        if (expected > 0 && now - loggedAt >= LINE_EVERY_NANOS
                && done - loggedBytes >= (long) (expected * LINE_EVERY_FRACTION)) {
            loggedAt = now;
            loggedBytes = done;
            double seconds = (now - started) / 1e9;
            double rate = done / Math.max(seconds, 1e-9);
            long left = rate > 0 ? (long) ((expected - done) / rate) : -1;
            LOG.infof("Downloading %s: %d of %d bytes (%d%%), %.1f MiB/s, about %ds left", what, done, expected,
                    done * 100 / expected, rate / (1 << 20), left);
        }
    }
}
