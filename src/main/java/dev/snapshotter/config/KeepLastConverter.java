package dev.snapshotter.config;

import org.eclipse.microprofile.config.spi.Converter;

/**
 * {@code QDRANT_SNAPSHOT_KEEP_LAST} and {@code QDRANT_SNAPSHOT_S3_KEEP_LAST}: a whole number of at least 1; the sentence
 * starts at "must", and {@link BootFailure} puts the variable's name in front.
 */
public final class KeepLastConverter implements Converter<Integer> {

    @Override
    public Integer convert(String value) {
        String trimmed = value.trim();
        Integer keep = KeepCount.atLeastOne(trimmed);
        if (keep == null) {
            throw new IllegalArgumentException("must be a whole number of at least 1 (how many of the newest snapshots "
                    + "to keep), or unset to keep all, but it is \"" + trimmed + "\".");
        }
        return keep;
    }
}
