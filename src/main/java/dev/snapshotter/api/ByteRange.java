package dev.snapshotter.api;

import java.util.Locale;

/**
 * One byte range of a {@code Range: bytes=...} header (RFC 9110, section 14), resolved against a file's size:
 * {@code first-last}, {@code first-} or {@code -suffix}. Anything else, or several ranges, is not a range this service
 * serves: the whole file goes out instead, as the RFC allows.
 *
 * @param first the first byte
 * @param last the last byte, inclusive
 */
record ByteRange(long first, long last) {

    /** A range that lies wholly past the end of the file: {@code 416}. */
    static final ByteRange UNSATISFIABLE = new ByteRange(-1, -1);

    long length() {
        return last - first + 1;
    }

    String contentRange(long size) {
        return "bytes " + first + "-" + last + "/" + size;
    }

    /** The range {@code header} asks of a file of {@code size} bytes; null for the whole file. */
    static ByteRange of(String header, long size) {
        if (header == null) {
            return null;
        }
        String value = header.strip();
        if (!value.toLowerCase(Locale.ROOT).startsWith("bytes=") || value.indexOf(',') >= 0) {
            return null;
        }
        String spec = value.substring("bytes=".length()).strip();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        try {
            String from = spec.substring(0, dash).strip();
            String to = spec.substring(dash + 1).strip();
            if (from.isEmpty()) {
                long suffix = Long.parseLong(to);
                if (suffix <= 0 || to.startsWith("+")) {
                    return suffix == 0 ? UNSATISFIABLE : null;
                }
                return size == 0 ? UNSATISFIABLE : new ByteRange(Math.max(0, size - suffix), size - 1);
            }
            long first = Long.parseLong(from);
            long last = to.isEmpty() ? Long.MAX_VALUE : Long.parseLong(to);
            if (first < 0 || last < first || from.startsWith("+") || to.startsWith("+")) {
                return null;
            }
            return first >= size ? UNSATISFIABLE : new ByteRange(first, Math.min(last, size - 1));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
