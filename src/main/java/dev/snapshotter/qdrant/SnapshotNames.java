package dev.snapshotter.qdrant;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Qdrant names a snapshot; we put that name in a URL path. A name that is not a plain file name (a separator,
 * {@code ..}, a percent escape or a control character) could steer that URL elsewhere, so it is refused.
 */
public final class SnapshotNames {

    /** Qdrant's collection snapshot names: {@code <collection>-<peer id>-<UTC time to the second>.snapshot}. */
    private static final Pattern COLLECTION_SNAPSHOT = Pattern
            .compile(".+-\\d+-(\\d{4}-\\d\\d-\\d\\d-\\d\\d-\\d\\d-\\d\\d)\\.snapshot");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd-HH-mm-ss");
    /** The widest peer id (2^64 - 1), for a name whose peer id is not known. */
    private static final String WIDEST_PEER_ID = "18446744073709551615";
    /** Qdrant writes {@code <snapshot name>.checksum} beside each snapshot. */
    public static final String CHECKSUM_SUFFIX = ".checksum";

    private SnapshotNames() {
    }

    /**
     * The moment Qdrant named a collection snapshot by (its UTC clock, to the second, as it started the snapshot), or
     * empty for a name of another shape.
     */
    public static Optional<Instant> createdAt(String name) {
        Matcher matcher = COLLECTION_SNAPSHOT.matcher(name);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDateTime.parse(matcher.group(1), TIME).toInstant(ZoneOffset.UTC));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /**
     * The longest name Qdrant could give a snapshot of {@code collection} made on peer {@code peerId} (the widest peer
     * id when null), for checking its length before asking for it.
     */
    public static String longestFor(String collection, String peerId) {
        return collection + "-" + (peerId == null ? WIDEST_PEER_ID : peerId) + "-2026-01-01-00-00-00.snapshot";
    }

    static boolean isSafe(String name) {
        if (name == null || name.isEmpty() || name.length() > 255 || name.equals(".") || name.equals("..")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == '\\' || c == '%' || c == '?' || c == '#' || Character.isISOControl(c)) {
                return false;
            }
        }
        return true;
    }

    /** Quotes a name for a message, with control characters made visible. */
    static String quote(String name) {
        if (name == null) {
            return "(none)";
        }
        StringBuilder quoted = new StringBuilder("`");
        name.codePoints().limit(300).forEach(cp -> {
            if (Character.isISOControl(cp)) {
                quoted.append(String.format("\\u%04x", cp));
            } else {
                quoted.appendCodePoint(cp);
            }
        });
        return quoted.append('`').toString();
    }
}
