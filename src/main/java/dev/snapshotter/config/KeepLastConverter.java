package dev.snapshotter.config;

import org.eclipse.microprofile.config.spi.Converter;

/** {@code QDRANT_SNAPSHOT_KEEP_LAST}: a whole number of at least 1. */
public class KeepLastConverter implements Converter<Integer> {

    @Override
    public Integer convert(String value) {
        String trimmed = value.trim();
        try {
            int keep = Integer.parseInt(trimmed);
            if (keep >= 1) {
                return keep;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("QDRANT_SNAPSHOT_KEEP_LAST must be a whole number of at least 1 (how many "
                + "of the newest snapshots to keep), or unset to keep all, but it is \"" + trimmed + "\".");
    }
}
