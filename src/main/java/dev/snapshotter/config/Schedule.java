package dev.snapshotter.config;

import java.time.Duration;
import java.util.Locale;

import org.eclipse.microprofile.config.spi.Converter;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.parser.CronParser;

import io.quarkus.runtime.configuration.DurationConverter;

/**
 * {@code QDRANT_SNAPSHOT_SCHEDULE}: a Quartz cron expression, as Quarkus's scheduler reads it ({@code 0 0 3 * * ?}:
 * every day at 03:00, in the service's time zone), or {@code every <duration>} ({@code every 6h}).
 *
 * @param cron the cron expression, or null for an interval
 * @param every the interval, or null for a cron expression
 */
public record Schedule(String cron, Duration every) {

    /** Shortest interval of the {@code every} form: each run is a full copy of the collection. */
    static final Duration MIN_EVERY = Duration.ofSeconds(1);

    @Override
    public String toString() {
        return cron != null ? "cron `" + cron + "`" : "every " + BoundedDuration.describe(every);
    }

    /** Reads and validates {@code QDRANT_SNAPSHOT_SCHEDULE} at boot. */
    public static class Reader implements Converter<Schedule> {

        private final String variable;

        public Reader() {
            this("QDRANT_SNAPSHOT_SCHEDULE");
        }

        Reader(String variable) {
            this.variable = variable;
        }

        @Override
        public Schedule convert(String value) {
            String trimmed = value.trim();
            if (trimmed.toLowerCase(Locale.ROOT).startsWith("every ")) {
                String interval = trimmed.substring("every ".length()).trim();
                Duration every = null;
                try {
                    every = DurationConverter.parseDuration(interval);
                } catch (RuntimeException e) {
                    // reported below
                }
                if (every == null || every.compareTo(MIN_EVERY) < 0) {
                    throw invalid(trimmed, "the interval after `every` must be a positive duration such as 6h");
                }
                return new Schedule(null, every);
            }
            try {
                new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ)).parse(trimmed).validate();
            } catch (RuntimeException e) {
                throw invalid(trimmed, e.getMessage());
            }
            return new Schedule(trimmed, null);
        }

        private IllegalArgumentException invalid(String value, String why) {
            return new IllegalArgumentException(variable + " must be a Quartz cron expression of 6 or 7 "
                    + "fields (seconds first, such as \"0 0 3 * * ?\") or \"every <duration>\" (such as \"every 6h\"), "
                    + "but it is \"" + value + "\" (" + why + ").");
        }
    }

    /** Reads and validates {@code QDRANT_SNAPSHOT_DRILL_SCHEDULE} at boot: the same forms. */
    public static final class DrillReader extends Reader {
        public DrillReader() {
            super("QDRANT_SNAPSHOT_DRILL_SCHEDULE");
        }
    }

    /** Reads and validates {@code QDRANT_SNAPSHOT_VERIFY_SCHEDULE} at boot: the same forms. */
    public static final class VerifyReader extends Reader {
        public VerifyReader() {
            super("QDRANT_SNAPSHOT_VERIFY_SCHEDULE");
        }
    }
}
