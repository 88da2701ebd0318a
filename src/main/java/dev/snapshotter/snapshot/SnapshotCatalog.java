package dev.snapshotter.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The verified snapshots in {@code QDRANT_SNAPSHOT_DIR}: every regular file named
 * {@code <UTC time>-<collection key>.snap} with its {@code .sha256} beside it, and its {@code .json} manifest when
 * there is one. Temporary files, files without a checksum file, links and names of any other shape are not
 * snapshots. One reading of the directory per call: the directory is the truth, there is no index to go stale.
 */
@ApplicationScoped
public class SnapshotCatalog {

    private static final Logger LOG = Logger.getLogger(SnapshotCatalog.class);
    private static final Pattern NAME = Pattern.compile(
            "(\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d-\\d{3}Z)-([A-Za-z0-9._~-]+)\\.snap");
    private static final DateTimeFormatter NAME_TIME = DateTimeFormatter
            .ofPattern("uuuu-MM-dd'T'HH-mm-ss-SSS'Z'", Locale.ROOT);
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private final SnapshotDirectory directory;
    private final SnapshotMetrics metrics;
    private final Instance<ObjectMapper> json;

    SnapshotCatalog(SnapshotDirectory directory, SnapshotMetrics metrics, Instance<ObjectMapper> json) {
        this.directory = directory;
        this.metrics = metrics;
        this.json = json;
    }

    /**
     * One verified snapshot.
     *
     * @param key the collection as the file name carries it ({@link SnapshotFileWriter#fileKey})
     * @param createdAt the run's start, from the file name
     * @param manifest the parsed manifest, or null for snapshots written before manifests (or when it is unreadable)
     */
    public record Entry(Path file, String key, Instant createdAt, long bytes, String sha256, JsonNode manifest) {

        public String fileName() {
            return file.getFileName().toString();
        }

        /** The real collection: the manifest's, else the name's key (which is the name for plain names). */
        public String collection() {
            JsonNode name = manifest == null ? null : manifest.path("collection").path("name");
            return name != null && name.isTextual() ? name.asText() : key;
        }

        /** Whether this snapshot is of {@code collection}, which may be the real name or what QDRANT_COLLECTION says. */
        public boolean isOf(String collection) {
            if (manifest != null && (collection.equals(collection())
                    || collection.equals(manifest.path("configuredName").asText(null)))) {
                return true;
            }
            return manifest == null && key.equals(SnapshotFileWriter.fileKey(collection));
        }

        /** A manifest field as text, or null. */
        public String manifestText(String... path) {
            JsonNode node = manifest;
            for (String step : path) {
                node = node == null ? null : node.get(step);
            }
            return node == null || node.isNull() || node.isContainerNode() ? null : node.asText();
        }

        Path sidecar() {
            return file.resolveSibling(fileName() + SnapshotFileWriter.CHECKSUM_SUFFIX);
        }

        Path manifestFile() {
            return file.resolveSibling(fileName() + SnapshotFileWriter.MANIFEST_SUFFIX);
        }
    }

    /** Every verified snapshot, newest first. */
    public List<Entry> list() {
        Path dir = directory.path();
        List<Entry> entries = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SnapshotFileWriter.SNAPSHOT_SUFFIX)) {
            for (Path file : files) {
                entry(file).ifPresent(entries::add);
            }
        } catch (IOException e) {
            LOG.warnf("Could not list %s: %s", dir, SnapshotFileWriter.reason(e));
        }
        entries.sort(Comparator.comparing(Entry::createdAt).thenComparing(Entry::fileName).reversed());
        return entries;
    }

    /** The listed snapshot of exactly this file name; any other name (paths, temporaries, links) is empty. */
    public Optional<Entry> find(String fileName) {
        if (fileName == null || !NAME.matcher(fileName).matches()) {
            return Optional.empty();
        }
        return entry(directory.path().resolve(fileName));
    }

    /** The newest verified snapshot of {@code collection}. */
    public Optional<Entry> newest(String collection) {
        return list().stream().filter(entry -> entry.isOf(collection)).findFirst();
    }

    /** A re-read of a listed file against its checksum file. */
    public record Verification(String file, boolean verified, String sha256, String expected) {
    }

    /**
     * Reads the whole file again and compares its SHA-256 with its checksum file; a mismatch (bit rot, a truncated or
     * tampered copy) is logged at ERROR. Counted in {@code snapshotter_verifications_total{result}}.
     */
    public Verification verify(Entry entry) throws IOException {
        MessageDigest sha256 = SnapshotFileWriter.sha256();
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(entry.file(), LinkOption.NOFOLLOW_LINKS)) {
            for (int read; (read = in.read(buffer)) > 0;) {
                sha256.update(buffer, 0, read);
            }
        }
        String actual = HexFormat.of().formatHex(sha256.digest());
        boolean verified = actual.equals(entry.sha256());
        metrics.verified(verified);
        if (verified) {
            LOG.infof("Verified %s: its SHA-256 %s matches its checksum file", entry.fileName(), actual);
        } else {
            LOG.errorf("Verification failed: %s hashes to %s but its checksum file says %s (bit rot, or a truncated "
                    + "or tampered copy)", entry.fileName(), actual, entry.sha256());
        }
        return new Verification(entry.fileName(), verified, actual, entry.sha256());
    }

    private Optional<Entry> entry(Path file) {
        Matcher name = NAME.matcher(file.getFileName().toString());
        if (!name.matches() || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        Path sidecar = file.resolveSibling(file.getFileName() + SnapshotFileWriter.CHECKSUM_SUFFIX);
        try {
            if (!Files.isRegularFile(sidecar, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.empty();
            }
            String line = Files.readString(sidecar, StandardCharsets.UTF_8).strip();
            String sha256 = line.split("\\s+", 2)[0].toLowerCase(Locale.ROOT);
            if (!SHA256.matcher(sha256).matches()) {
                return Optional.empty();
            }
            Instant createdAt = LocalDateTime.parse(name.group(1), NAME_TIME).toInstant(ZoneOffset.UTC);
            return Optional.of(new Entry(file, name.group(2), createdAt, Files.size(file), sha256, manifest(file)));
        } catch (IOException | DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private JsonNode manifest(Path file) {
        Path manifest = file.resolveSibling(file.getFileName() + SnapshotFileWriter.MANIFEST_SUFFIX);
        if (!Files.isRegularFile(manifest, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try (InputStream in = Files.newInputStream(manifest)) {
            JsonNode node = json.get().readTree(in);
            return node != null && node.isObject() ? node : null;
        } catch (IOException | RuntimeException e) {
            LOG.warnf("The manifest %s is unreadable (%s); the snapshot is listed from its name", manifest,
                    e.getMessage());
            return null;
        }
    }
}
