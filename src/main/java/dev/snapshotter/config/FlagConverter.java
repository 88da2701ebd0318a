package dev.snapshotter.config;

import java.util.Locale;

import org.eclipse.microprofile.config.spi.Converter;

/**
 * Reads an on/off variable the way operators write it: {@code true/1/yes/y/on} and {@code false/0/no/n/off}, in any
 * case. Anything else is refused with a sentence naming the variable, so a typo never silently means "off".
 */
public final class FlagConverter {

    private FlagConverter() {
    }

    static Boolean parse(String variable, String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "y", "on" -> Boolean.TRUE;
            case "false", "0", "no", "n", "off" -> Boolean.FALSE;
            default -> throw new IllegalArgumentException(variable + " must be one of true/1/yes/y/on or "
                    + "false/0/no/n/off (any case), but it is \"" + value + "\".");
        };
    }

    public static final class OnStart implements Converter<Boolean> {
        @Override
        public Boolean convert(String value) {
            return parse("QDRANT_SNAPSHOT_ON_START", value);
        }
    }

    public static final class OnStartRequired implements Converter<Boolean> {
        @Override
        public Boolean convert(String value) {
            return parse("QDRANT_SNAPSHOT_ON_START_REQUIRED", value);
        }
    }

    public static final class DeleteRemote implements Converter<Boolean> {
        @Override
        public Boolean convert(String value) {
            return parse("QDRANT_SNAPSHOT_DELETE_REMOTE", value);
        }
    }

    public static final class RestoreIfMissing implements Converter<Boolean> {
        @Override
        public Boolean convert(String value) {
            return parse("QDRANT_SNAPSHOT_RESTORE_IF_MISSING", value);
        }
    }
}
