package dev.snapshotter.config;

import org.eclipse.microprofile.config.spi.Converter;

/** {@code QDRANT_SNAPSHOT_KEEP_LAST} (and {@link Offsite}): a whole number of at least 1. */
public class KeepLastConverter implements Converter<Integer> {

    private final String variable;

    public KeepLastConverter() {
        this("QDRANT_SNAPSHOT_KEEP_LAST");
    }

    KeepLastConverter(String variable) {
        this.variable = variable;
    }

    /** {@code QDRANT_SNAPSHOT_S3_KEEP_LAST}. */
    public static final class Offsite extends KeepLastConverter {
        public Offsite() {
            super("QDRANT_SNAPSHOT_S3_KEEP_LAST");
        }

        @Override
        public Integer convert(String value) {
            return super.convert(value);
        }
    }

    @Override
    public Integer convert(String value) {
        String trimmed = value.trim();
        Integer keep = KeepCount.atLeastOne(trimmed);
        if (keep == null) {
            throw new IllegalArgumentException(variable + " must be a whole number of at least 1 (how many "
                    + "of the newest snapshots to keep), or unset to keep all, but it is \"" + trimmed + "\".");
        }
        return keep;
    }
}
