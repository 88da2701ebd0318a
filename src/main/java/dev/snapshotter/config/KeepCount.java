package dev.snapshotter.config;

import org.eclipse.microprofile.config.spi.Converter;

/**
 * A count of calendar periods to keep ({@link CalendarRetention}): a whole number of at least 1. One converter serves
 * every such variable: its sentence starts at "must", and {@link BootFailure} puts the variable's name in front.
 */
public final class KeepCount implements Converter<Integer> {

    @Override
    public Integer convert(String value) {
        String trimmed = value.trim();
        Integer keep = atLeastOne(trimmed);
        if (keep == null) {
            throw new IllegalArgumentException("must be a whole number of at least 1 (how many periods that hold a "
                    + "backup to keep the newest of), or unset, but it is \"" + trimmed + "\".");
        }
        return keep;
    }

    /** The whole number {@code trimmed} is, when at least 1; null otherwise. */
    static Integer atLeastOne(String trimmed) {
        try {
            int keep = Integer.parseInt(trimmed);
            return keep >= 1 ? keep : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
