package dev.snapshotter.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;

/** Retention on its own: plain JUnit, real files, a catalog entry per planted snapshot. */
class RetentionTest {

    static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    @TempDir
    Path directory;

    SnapshotDir files;

    @BeforeEach
    void standIn() {
        files = new SnapshotDir(directory);
    }

    /** Snapshots of kairos aged 1, 2, 3, 4 and 5 days, one of another collection, and foreign files. */
    private List<SnapshotCatalog.Entry> plant() throws IOException {
        for (int days = 1; days <= 5; days++) {
            files.plantSnapshot(NOW.minus(Duration.ofDays(days)), "kairos", TestData.randomBytes(100 + days));
        }
        files.plantSnapshot(NOW.minus(Duration.ofDays(30)), "other", TestData.randomBytes(10));
        Files.writeString(directory.resolve("notes.txt"), "mine");
        Files.writeString(directory.resolve(".2026-11-30T11-59-00-000Z-kairos.snap.part"), "in flight");
        Files.writeString(directory.resolve("2020-01-01T00-00-00-000Z-kairos.snap"), "no checksum file: not ours");
        return entries();
    }

    private List<SnapshotCatalog.Entry> entries() throws IOException {
        try (Stream<Path> list = Files.list(directory)) {
            return list.filter(p -> p.toString().endsWith(".snap") && Files.exists(Path.of(p + ".sha256")))
                    .map(p -> {
                        String name = p.getFileName().toString();
                        Instant at = Instant.parse(name.substring(0, 10) + "T" + name.substring(11, 13) + ":"
                                + name.substring(14, 16) + ":" + name.substring(17, 19) + "Z");
                        return new SnapshotCatalog.Entry(p, name.substring(25, name.length() - 5), at, 1, "0".repeat(64),
                                null, null, null, null);
                    })
                    .sorted((a, b) -> b.createdAt().compareTo(a.createdAt())).toList();
        }
    }

    private List<String> kairosLeft() throws IOException {
        return entries().stream().filter(e -> e.key().equals("kairos")).map(e -> e.fileName().substring(0, 10)).toList();
    }

    @Test
    void keepsTheNewestByCount() throws Exception {
        List<SnapshotCatalog.Entry> all = plant();

        Retention.Pruned pruned = new Retention(Optional.of(2), Optional.empty()).prune(all, "kairos",
                all.get(0).file(), NOW, entry -> false);

        assertThat(pruned.files()).hasSize(3).allMatch(name -> name.endsWith("-kairos.snap"));
        assertThat(kairosLeft()).containsExactly("2026-11-29", "2026-11-28");
        assertUntouchedForeignFiles();
        assertThat(directory.resolve(pruned.files().get(0) + ".sha256")).doesNotExist();
    }

    @Test
    void keepsWhatIsYoungerThanTheAge() throws Exception {
        List<SnapshotCatalog.Entry> all = plant();

        Retention.Pruned pruned = new Retention(Optional.empty(), Optional.of(Duration.ofHours(84))).prune(all,
                "kairos", all.get(0).file(), NOW, entry -> false);

        assertThat(pruned.files()).hasSize(2);
        assertThat(kairosLeft()).containsExactly("2026-11-29", "2026-11-28", "2026-11-27");
        assertUntouchedForeignFiles();
    }

    @Test
    void keepsWhatEitherRuleKeeps() throws Exception {
        List<SnapshotCatalog.Entry> all = plant();

        new Retention(Optional.of(1), Optional.of(Duration.ofDays(2).plusHours(1))).prune(all, "kairos",
                all.get(0).file(), NOW, entry -> false);

        assertThat(kairosLeft()).containsExactly("2026-11-29", "2026-11-28");
        assertUntouchedForeignFiles();
    }

    @Test
    void alwaysKeepsTheNewestAndTheOneJustTaken() throws Exception {
        List<SnapshotCatalog.Entry> all = plant();

        // an age rule that keeps nothing, and a run whose file is not the newest (a clock set back)
        new Retention(Optional.empty(), Optional.of(Duration.ofMinutes(1))).prune(all, "kairos", all.get(3).file(), NOW,
                entry -> false);

        assertThat(kairosLeft()).containsExactly("2026-11-29", "2026-11-26");
    }

    @Test
    void keepsEverythingWithNoRule() throws Exception {
        List<SnapshotCatalog.Entry> all = plant();

        assertThat(
                new Retention(Optional.empty(), Optional.empty()).prune(all, "kairos", all.get(0).file(), NOW, entry -> false)
                        .files())
                .isEmpty();
        assertThat(kairosLeft()).hasSize(5);
    }

    @Test
    void reportsAFailedDeletionAndGoesOn() throws Exception {
        List<SnapshotCatalog.Entry> all = plant();
        // the oldest cannot be deleted: in its place stands a directory that is not empty
        Path stuck = all.get(4).file();
        Files.delete(stuck);
        Files.createDirectory(stuck);
        Files.writeString(stuck.resolve("inside"), "x");

        Retention.Pruned pruned = new Retention(Optional.of(2), Optional.empty()).prune(all, "kairos",
                all.get(0).file(), NOW, entry -> false);

        assertThat(pruned.files()).hasSize(2);
        assertThat(pruned.remarks()).singleElement().asString().contains("Could not delete " + stuck.getFileName())
                .contains("keep-last=2");
        assertThat(stuck).isDirectory();
        assertThat(Path.of(stuck + ".sha256")).exists();
    }

    @Test
    void neitherAFutureDatedNorAFailedFileTakesAPlaceOrIsDeleted() throws Exception {
        Path future = files.plantSnapshot(NOW.plus(Duration.ofDays(30)), "kairos", TestData.randomBytes(50));
        List<SnapshotCatalog.Entry> planted = plant();
        // the newest real snapshot failed its last re-read: it is no backup to count on
        List<SnapshotCatalog.Entry> all = planted.stream().map(e -> e.createdAt().equals(NOW.minus(Duration.ofDays(1)))
                ? new SnapshotCatalog.Entry(e.file(), e.key(), e.createdAt(), e.bytes(), e.sha256(), null,
                        NOW.minusSeconds(60), null, null)
                : e).toList();
        assertThat(all.get(0).file()).isEqualTo(future);

        Retention.Pruned pruned = new Retention(Optional.of(2), Optional.empty()).prune(all, "kairos",
                all.get(2).file(), NOW, entry -> false);

        // kept: the future-dated file and the failed one (left alone), then days 2 and 3 (the two places)
        assertThat(future).exists();
        assertThat(kairosLeft()).containsExactly("2026-12-30", "2026-11-29", "2026-11-28", "2026-11-27");
        assertThat(pruned.files()).hasSize(2);
    }

    private void assertUntouchedForeignFiles() {
        assertThat(directory.resolve("notes.txt")).hasContent("mine");
        assertThat(directory.resolve(".2026-11-30T11-59-00-000Z-kairos.snap.part")).hasContent("in flight");
        assertThat(directory.resolve("2020-01-01T00-00-00-000Z-kairos.snap")).exists();
        assertThat(directory.resolve("2026-10-31T12-00-00-000Z-other.snap")).exists();
        assertThat(directory.resolve("2026-10-31T12-00-00-000Z-other.snap.sha256")).exists();
    }
}
