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
}
