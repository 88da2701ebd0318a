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
        try {
            int keep = Integer.parseInt(trimmed);
            if (keep >= 1) {
                return keep;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("must be a whole number of at least 1 (how many periods that hold a backup "
                + "to keep the newest of), or unset, but it is \"" + trimmed + "\".");
    }
}
