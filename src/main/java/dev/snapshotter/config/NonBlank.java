package dev.snapshotter.config;

import org.eclipse.microprofile.config.spi.Converter;

/** A text variable that must hold something: an empty value fails boot with a sentence naming the variable. */
public abstract class NonBlank implements Converter<String> {

    private final String variable;
    private final String example;

    NonBlank(String variable, String example) {
        this.variable = variable;
        this.example = example;
    }

    /**
     * Each variable's subclass declares {@code convert} again, returning {@code String}: SmallRye Config's build step
     * validates a mapping's converter by the return type its class declares, and refuses an inherited one.
     */
    @Override
    public String convert(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(variable + " must not be empty; set it to " + example + ", or unset it "
                    + "for the default.");
        }
        return value.trim();
    }

    /** {@code QDRANT_COLLECTION}. */
    public static final class Collection extends NonBlank {
        public Collection() {
            super("QDRANT_COLLECTION", "the collection (or alias) to back up");
        }

        @Override
        public String convert(String value) {
            return super.convert(value);
        }
    }

    /** {@code QDRANT_SNAPSHOT_DIR}. */
    public static final class Directory extends NonBlank {
        public Directory() {
            super("QDRANT_SNAPSHOT_DIR", "the directory snapshots go to");
        }

        @Override
        public String convert(String value) {
            return super.convert(value);
        }
    }

    /** A scratch collection's name must be a name Qdrant takes: letters, digits, {@code _ - .}, at most 64 characters. */
    public static final class DrillPrefix extends NonBlank {
        public DrillPrefix() {
            super("QDRANT_DRILL_PREFIX", "the start of a restore drill's scratch collection name");
        }

        @Override
        public String convert(String value) {
            String prefix = super.convert(value);
            if (!prefix.matches("[A-Za-z0-9_.-]{1,32}")) {
                throw new IllegalArgumentException("QDRANT_DRILL_PREFIX must be 1 to 32 letters, digits, `_`, `-` or "
                        + "`.`, but it is \"" + prefix + "\".");
            }
            return prefix;
        }
    }
}
