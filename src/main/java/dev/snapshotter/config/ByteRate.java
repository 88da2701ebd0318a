package dev.snapshotter.config;

import org.eclipse.microprofile.config.spi.Converter;

/**
 * Bytes per second, as operators write a size ({@code 50MiB}, {@code 200M}) with an optional {@code /s}, from 1 MiB
 * (slower, a transfer's connection would sit idle long enough for the other side to drop it) to 100 GiB; refused at
 * boot in one sentence naming the variable.
 */
public abstract class ByteRate implements Converter<Long> {

    static final long MIN = 1L << 20;
    static final long MAX = 100L << 30;

    private final String variable;

    ByteRate(String variable) {
        this.variable = variable;
    }

    /** Each subclass declares {@code convert} again, returning {@code Long} (see {@link BoundedDuration}). */
    @Override
    public Long convert(String value) {
        Long bytes = S3Settings.bytes(value.trim().replaceFirst("(?i)\\s*/\\s*s$", ""));
        if (bytes == null || bytes < MIN || bytes > MAX) {
            throw new IllegalArgumentException(variable + " must be bytes per second from 1MiB to 100GiB, written like "
                    + "50MiB or 200M (unset: no limit), but it is \"" + value.trim() + "\".");
        }
        return bytes;
    }

    /** {@code QDRANT_SNAPSHOT_S3_UPLOAD_RATE}. */
    public static final class Upload extends ByteRate {
        public Upload() {
            super("QDRANT_SNAPSHOT_S3_UPLOAD_RATE");
        }

        @Override
        public Long convert(String value) {
            return super.convert(value);
        }
    }

    /** {@code QDRANT_SNAPSHOT_VERIFY_RATE}. */
    public static final class Verify extends ByteRate {
        public Verify() {
            super("QDRANT_SNAPSHOT_VERIFY_RATE");
        }

        @Override
        public Long convert(String value) {
            return super.convert(value);
        }
    }
}
