package dev.snapshotter.store;

import java.io.IOException;
import java.io.InputStream;

/**
 * A reader of a snapshot's bytes that decides whether they are what a snapshot must be, beyond their size and
 * checksum. The writer runs it on a thread of its own over the bytes as they stream to disk (no second pass), and
 * {@link SnapshotCatalog#verify} over the file as it re-reads it; either refuses the file when it rejects it.
 */
@FunctionalInterface
public interface ContentCheck {

    /**
     * Reads {@code content} as far as it needs (the rest is drained for it).
     *
     * @throws Rejected with one sentence saying what is wrong, when the bytes are not a sound snapshot
     */
    void read(InputStream content) throws IOException, Rejected;

    /** The content is not a sound snapshot; the message says why, in a sentence fit for an operator. */
    final class Rejected extends Exception {

        public Rejected(String message) {
            super(message);
        }

        public Rejected(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
