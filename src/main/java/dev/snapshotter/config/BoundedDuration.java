package dev.snapshotter.config;

import java.time.Duration;
import java.util.Locale;

import org.eclipse.microprofile.config.spi.Converter;

import io.quarkus.runtime.configuration.DurationConverter;

/**
 * A duration variable, read the way Quarkus reads durations ({@code 30s}, {@code 5m}, {@code 1h}, {@code 2d},
 * ISO-8601 {@code PT30S}, or a plain number of seconds) and held to a range, so that zero, a negative value or one
 * so large that it overflows at run time fails boot with one sentence. Each subclass is a range, shared by the
 * variables that take it; the sentence starts at "must", and {@link BootFailure} puts the variable's name in front.
 */
public abstract class BoundedDuration implements Converter<Duration> {

    private final Duration min;
    private final Duration max;

    BoundedDuration(Duration min, Duration max) {
        this.min = min;
        this.max = max;
    }

    /**
     * Each subclass declares {@code convert} again, returning {@code Duration}: SmallRye Config's build step validates
     * a mapping's converter by the return type its class declares, and refuses an inherited one.
     */
    @Override
    public Duration convert(String value) {
        String trimmed = value.trim();
        Duration duration = null;
        if (!trimmed.isEmpty()) {
            try {
                duration = DurationConverter.parseDuration(trimmed);
            } catch (RuntimeException e) {
                // reported below
            }
        }
        if (duration == null || duration.compareTo(min) < 0 || duration.compareTo(max) > 0) {
            throw new IllegalArgumentException("must be a duration from " + describe(min) + " to " + describe(max)
                    + ", written like 30s, 5m, 1h or 2d, but it is \"" + trimmed + "\".");
        }
        return duration;
    }

    /** {@code 30s}, {@code 1m30s}, {@code 7d}: a duration as operators write it. */
    public static String describe(Duration duration) {
        if (duration.toSeconds() >= 2 * 86_400 && duration.toSeconds() % 86_400 == 0 && duration.toNanosPart() == 0) {
            return duration.toDays() + "d";
        }
        return duration.toString().substring(2).toLowerCase(Locale.ROOT);
    }

    /** {@code QDRANT_WAIT_TIMEOUT}: 1s to 7d. */
    public static final class WaitTimeout extends BoundedDuration {
        public WaitTimeout() {
            super(Duration.ofSeconds(1), Duration.ofDays(7));
        }

        @Override
        public Duration convert(String value) {
            return super.convert(value); // declared here so SmallRye Config sees the Duration return type
        }
    }

    /**
     * {@code QDRANT_SNAPSHOT_TIMEOUT} (at most the control client's 24 h read-timeout ceiling) and
     * {@code QDRANT_SNAPSHOT_STALL_TIMEOUT} (a socket read timeout, so it must fit an int of milliseconds): 1s to 24h.
     */
    public static final class Timeout extends BoundedDuration {
        public Timeout() {
            super(Duration.ofSeconds(1), Duration.ofHours(24));
        }

        @Override
        public Duration convert(String value) {
            return super.convert(value);
        }
    }

    /**
     * An age or a lifetime counted in days: {@code QDRANT_SNAPSHOT_KEEP_WITHIN}, {@code QDRANT_SNAPSHOT_S3_KEEP_WITHIN},
     * {@code QDRANT_SNAPSHOT_S3_LOCK_FOR}; 1m to 36500d.
     */
    public static final class Age extends BoundedDuration {
        public Age() {
            super(Duration.ofMinutes(1), Duration.ofDays(36_500));
        }

        @Override
        public Duration convert(String value) {
            return super.convert(value);
        }
    }

    /** {@code QDRANT_CLUSTER_SETTLE_TIMEOUT}: zero refuses an unsettled cluster at once; up to 6h. */
    public static final class ClusterSettleTimeout extends BoundedDuration {
        public ClusterSettleTimeout() {
            super(Duration.ZERO, Duration.ofHours(6));
        }

        @Override
        public Duration convert(String value) {
            return super.convert(value);
        }
    }

    /** {@code QDRANT_SNAPSHOT_SCHEDULE_RETRY}: zero turns the retries off; up to 24h. */
    public static final class ScheduleRetry extends BoundedDuration {
        public ScheduleRetry() {
            super(Duration.ZERO, Duration.ofHours(24));
        }

        @Override
        public Duration convert(String value) {
            return super.convert(value);
        }
    }

    /** {@code QDRANT_SNAPSHOT_ON_START_MIN_INTERVAL}: 1s to 36500d. */
    public static final class OnStartMinInterval extends BoundedDuration {
        public OnStartMinInterval() {
            super(Duration.ofSeconds(1), Duration.ofDays(36_500));
        }

        @Override
        public Duration convert(String value) {
            return super.convert(value);
        }
    }
}
