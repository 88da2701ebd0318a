package dev.snapshotter.config;

import org.eclipse.microprofile.config.spi.Converter;

/**
 * A whole number held to a range ({@code 1} to {@code 32} parts at once...), refused at boot in one sentence naming
 * the variable and what the number counts.
 */
public abstract class BoundedCount implements Converter<Integer> {

    private final String variable;
    private final int min;
    private final int max;
    private final String counts;

    BoundedCount(String variable, int min, int max, String counts) {
        this.variable = variable;
        this.min = min;
        this.max = max;
        this.counts = counts;
    }

    /** Each subclass declares {@code convert} again, returning {@code Integer} (see {@link BoundedDuration}). */
    @Override
    public Integer convert(String value) {
        String trimmed = value.trim();
        try {
            int count = Integer.parseInt(trimmed);
            if (count >= min && count <= max) {
                return count;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(variable + " must be a whole number from " + min + " to " + max + " ("
                + counts + "), but it is \"" + trimmed + "\".");
    }
}
