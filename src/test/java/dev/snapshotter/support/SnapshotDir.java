package dev.snapshotter.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.stream.Stream;

/**
 * The snapshot directory a test app writes to, as a test sees it: what is there, what an earlier run left, and the
 * service's bookkeeping. It spells our file-name format on its own, so that a change of that format fails the tests.
 */
public final class SnapshotDir {

    /** The service's ledger of the copies it asked Qdrant for (see QdrantCopies): bookkeeping, not a snapshot. */
    public static final String LEDGER = ".qdrant-copies.json";
    /** The lock file that keeps a second instance off the directory (see SnapshotDirectory). */
    public static final String LOCK = ".snapshotter.lock";
    /** The journal of the last runs (see RunJournal): bookkeeping, not a snapshot. */
    public static final String RUN_JOURNAL = ".runs.journal";
    static final DateTimeFormatter NAME_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss-SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final Path directory;

    public SnapshotDir(Path directory) {
        this.directory = directory;
    }

    public Path directory() {
        return directory;
    }

    /** The files of a snapshot an earlier run left, which no later run may touch. */
    public record Earlier(Path snapshot, byte[] body, Path sidecar, String sidecarLine) {
    }

    /** Puts an earlier run's verified snapshot and checksum file in the directory. */
    public Earlier plantEarlierSnapshot() {
        byte[] body = TestData.snapshot(4096 + 3);
        Path snapshot = plantSnapshot(Instant.parse("2026-01-01T00:00:00Z"), QdrantStandIn.COLLECTION, body);
        return new Earlier(snapshot, body, Path.of(snapshot + ".sha256"),
                TestData.sha256(body) + "  " + snapshot.getFileName() + "\n");
    }

    /** Puts a verified snapshot of {@code age} (by its name) in the directory; returns its file. */
    public Path plantSnapshotAged(Duration age) {
        return plantSnapshotAged(age, QdrantStandIn.COLLECTION);
    }

    /** {@link #plantSnapshotAged(Duration)}, of {@code collection}. */
    public Path plantSnapshotAged(Duration age, String collection) {
        return plantSnapshot(Instant.now().minus(age), collection, TestData.snapshot(2048));
    }

    /**
     * Puts a verified snapshot of {@code kairos} taken an hour ago in the directory, with the manifest a run writes:
     * taken with {@code points} points while the alias {@code kairos_live} pointed at it. Returns its file.
     */
    public Path plantRestorable(long points) {
        return plantRestorable(points, Instant.now().minusSeconds(3600));
    }

    /** {@link #plantRestorable(long)}, taken at {@code createdAt}. */
    public Path plantRestorable(long points, Instant createdAt) {
        return plantRestorable(points, createdAt, TestData.snapshot(20_000));
    }

    /** {@link #plantRestorable(long, Instant)}, the snapshot's bytes being {@code body}. */
    public Path plantRestorable(long points, Instant createdAt, byte[] body) {
        Path planted = plantSnapshot(createdAt, QdrantStandIn.COLLECTION, body);
        try {
            Files.writeString(planted.resolveSibling(planted.getFileName() + ".json"), "{\"format\":1,"
                    + "\"collection\":{\"name\":\"kairos\"},\"aliases\":[\"kairos_live\"],\"points\":{\"count\":"
                    + points + ",\"min\":" + points + ",\"max\":" + points + "}}");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return planted;
    }

    /**
     * Adds to the manifest of a {@link #plantRestorable} snapshot the ids of the points sampled at snapshot time
     * ({@link QdrantStandIn#SAMPLE_IDS}), which every restore then reads back.
     */
    public void sampled(Path planted) {
        Path manifest = planted.resolveSibling(planted.getFileName() + ".json");
        try {
            String json = Files.readString(manifest);
            Files.writeString(manifest, json.replace(",\"max\":", ",\"sample\":" + QdrantStandIn.SAMPLE_IDS
                    + ",\"max\":"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the manifest a run taken through the alias {@code alias} leaves beside {@code planted}. */
    public void takenThrough(Path planted, String alias) {
        String name = planted.getFileName().toString();
        String collection = name.substring(name.indexOf("Z-") + 2, name.length() - ".snap".length());
        try {
            Files.writeString(planted.resolveSibling(name + ".json"), "{\"format\":1,\"collection\":{\"name\":\""
                    + collection + "\"},\"aliases\":[\"" + alias + "\"],\"configuredName\":\"" + alias + "\"}");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code snapshot} rots on disk: a byte in its middle changes, its size stays the same. */
    public static void rot(Path snapshot) {
        try {
            byte[] bytes = Files.readAllBytes(snapshot);
            bytes[bytes.length / 2] ^= 0x01;
            Files.write(snapshot, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The name Qdrant keeps an upload of {@code snapshot} under, in the restored collection's snapshot list. */
    public static String uploadName(Path snapshot) {
        return "restore-" + snapshot.getFileName().toString().replaceAll("\\.snap$", "") + ".snapshot";
    }

    /** The name the service gives a snapshot of {@code collection} taken at {@code createdAt}, spelled here. */
    public static String fileName(Instant createdAt, String collection) {
        return NAME_TIME.format(createdAt) + "-" + collection + ".snap";
    }

    /** Puts a verified snapshot named as the service names them (no manifest, as before manifests existed). */
    public Path plantSnapshot(Instant createdAt, String collection, byte[] body) {
        String name = fileName(createdAt, collection);
        try {
            Path snapshot = Files.write(directory.resolve(name), body);
            Files.writeString(directory.resolve(name + ".sha256"), TestData.sha256(body) + "  " + name + "\n");
            return snapshot;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The directory holds the earlier snapshot, byte for byte, and nothing else: no new file, no temporary. */
    public void assertOnly(Earlier earlier) {
        assertThat(list()).containsExactly(earlier.snapshot(), earlier.sidecar());
        try {
            assertThat(Files.readAllBytes(earlier.snapshot())).isEqualTo(earlier.body());
            assertThat(Files.readString(earlier.sidecar())).isEqualTo(earlier.sidecarLine());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Every file in the snapshot directory, hidden ones included, but for the service's ledger, run journal and lock
     * file.
     */
    public List<Path> list() {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(file -> !file.getFileName().toString().equals(LEDGER))
                    .filter(file -> !file.getFileName().toString().equals(RUN_JOURNAL))
                    .filter(file -> !file.getFileName().toString().equals(LOCK)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a completed run leaves: the snapshot, its manifest and its checksum file, sorted as {@link #list()}. */
    public static List<Path> completed(Path snapshot) {
        return Stream.of(snapshot, Path.of(snapshot + ".json"), Path.of(snapshot + ".sha256")).sorted().toList();
    }

    /** The ledger's text, empty when there is none. */
    public String ledger() {
        try {
            Path ledger = directory.resolve(LEDGER);
            return Files.exists(ledger) ? Files.readString(ledger) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Empties the directory of all but the lock file the app holds. */
    public void clear() {
        try {
            Files.deleteIfExists(directory.resolve(LEDGER));
            Files.deleteIfExists(directory.resolve(RUN_JOURNAL));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        list().forEach(file -> {
            try {
                if (Files.isDirectory(file)) {
                    TempTree.delete(file); // a backup set
                    return;
                }
                Files.delete(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
