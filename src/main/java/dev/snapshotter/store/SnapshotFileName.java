package dev.snapshotter.store;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one home of our snapshot files' name, {@code <UTC time with ms>-<collection key>.snap} (such as
 * {@code 2026-11-24T00-15-00-123Z-kairos.snap}): how it is made, and how a name is read back.
 *
 * @param createdAt the run's start, to the millisecond
 * @param key the collection as the name carries it ({@link #key(String)})
 */
public record SnapshotFileName(Instant createdAt, String key) {

    public static final String SUFFIX = ".snap";
    /** A cluster backup set is a directory named like a snapshot, with this suffix instead of {@link #SUFFIX}. */
    public static final String SET_SUFFIX = ".set";
    static final int MAX_KEY_CHARS = 120;
    static final int KEPT_KEY_CHARS = 100;
    /** The name's shape, for patterns of the names beside it. */
    static final Pattern PATTERN = Pattern.compile(
            "(\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d-\\d{3}Z)-([A-Za-z0-9._~-]+)\\.snap");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH-mm-ss-SSS'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    /** How the names of a restore's uploads start ({@link #uploadName}). */
    private static final Pattern UPLOAD = Pattern.compile("restore-\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d-\\d{3}Z-"
            + "[A-Za-z0-9._~-]+\\.snapshot");

    /**
     * The name a restore of {@code backup} (a snapshot's or a set's name) gives its upload of {@code member} (a set's
     * member file; null for the snapshot itself): {@code restore-<backup's name without its suffix>[-<member>].snapshot}.
     * Qdrant keeps an upload under that name after it has restored it.
     */
    public static String uploadName(String backup, String member) {
        String stem = backup.replaceAll("(\\" + SUFFIX + "|\\" + SET_SUFFIX + ")$", "");
        return "restore-" + stem + (member == null ? "" : "-" + member.replaceAll("\\" + SUFFIX + "$", ""))
                + ".snapshot";
    }

    /** Whether {@code name} is one {@link #uploadName} gives: the copy Qdrant keeps of a restore's upload. */
    public static boolean isUploadName(String name) {
        return name != null && UPLOAD.matcher(name).matches();
    }

    /** The name of the snapshot of {@code collection} a run started at {@code createdAt} writes. */
    public static String of(Instant createdAt, String collection) {
        return time(createdAt) + "-" + key(collection) + SUFFIX;
    }

    /** The name of the backup set of {@code collection} a run started at {@code createdAt} publishes. */
    public static String ofSet(Instant createdAt, String collection) {
        return time(createdAt) + "-" + key(collection) + SET_SUFFIX;
    }

    /** A backup set's directory name read back, or empty for any name of another shape. */
    public static Optional<SnapshotFileName> parseSet(String name) {
        if (name == null || !name.endsWith(SET_SUFFIX)) {
            return Optional.empty();
        }
        return parse(name.substring(0, name.length() - SET_SUFFIX.length()) + SUFFIX);
    }

    /** A snapshot's or a backup set's name read back, or empty for any name of another shape. */
    public static Optional<SnapshotFileName> parseBackup(String name) {
        return parse(name).or(() -> parseSet(name));
    }

    /** The name read back, or empty for any name of another shape. */
    public static Optional<SnapshotFileName> parse(String name) {
        Matcher matcher = name == null ? null : PATTERN.matcher(name);
        if (matcher == null || !matcher.matches()) {
            return Optional.empty();
        }
        return parseTime(matcher.group(1)).map(at -> new SnapshotFileName(at, matcher.group(2)));
    }

    /** An instant as our names write it, {@code 2026-11-24T00-15-00-123Z}: names in that form sort as time does. */
    public static String time(Instant at) {
        return TIME.format(at);
    }

    /** {@link #time} read back, or empty for text of another shape. */
    public static Optional<Instant> parseTime(String text) {
        try {
            return Optional.of(LocalDateTime.parse(text, TIME).toInstant(ZoneOffset.UTC));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /**
     * The collection as it stands in file names: {@code [A-Za-z0-9._-]} kept, anything else {@code _}. A key longer
     * than {@link #MAX_KEY_CHARS} is cut to its first {@value #KEPT_KEY_CHARS} characters followed by {@code ~} and
     * the first 16 hex digits of the SHA-256 of the real name, so that the longest file this service writes stays
     * far below the 255 bytes file systems allow and two long names still differ.
     */
    public static String key(String collection) {
        String key = collection.replaceAll("[^A-Za-z0-9._-]", "_");
        if (key.length() <= MAX_KEY_CHARS) {
            return key;
        }
        String digest = HexFormat.of()
                .formatHex(SnapshotFileWriter.sha256().digest(collection.getBytes(StandardCharsets.UTF_8)));
        return key.substring(0, KEPT_KEY_CHARS) + "~" + digest.substring(0, 16);
    }
}
