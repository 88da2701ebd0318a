package dev.snapshotter.config;

import java.util.Locale;

import org.eclipse.microprofile.config.spi.Converter;

/**
 * Reads an on/off variable the way operators write it: {@code true/1/yes/y/on} and {@code false/0/no/n/off}, in any
 * case. Anything else is refused, so a typo never silently means "off"; the sentence starts at "must", and
 * {@link BootFailure} puts the variable's name in front.
 */
public final class FlagConverter implements Converter<Boolean> {

    @Override
    public Boolean convert(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "y", "on" -> Boolean.TRUE;
            case "false", "0", "no", "n", "off" -> Boolean.FALSE;
            default -> throw new IllegalArgumentException("must be one of true/1/yes/y/on or false/0/no/n/off (any "
                    + "case), but it is \"" + value + "\".");
        };
    }
}
