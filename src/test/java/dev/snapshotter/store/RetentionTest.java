package dev.snapshotter.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.snapshotter.config.CalendarRetention;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;

/** Retention on its own: plain JUnit, real files, a catalog entry per planted snapshot. */
class RetentionTest {

    static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    /** The calendar rules as the configuration gives them. */
    record Calendar(Optional<Integer> keepDaily, Optional<Integer> keepWeekly, Optional<Integer> keepMonthly,
            Optional<Integer> keepYearly) implements CalendarRetention {
    }

    static final Calendar NONE = new Calendar(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

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

        Retention.Pruned pruned = new Retention(Optional.of(2), Optional.empty(), NONE).prune(all, "kairos",
                all.get(0).file(), NOW, entry -> false, true);

        assertThat(pruned.files()).hasSize(3).allMatch(name -> name.endsWith("-kairos.snap"));
        assertThat(kairosLeft()).containsExactly("2026-11-29", "2026-11-28");
        assertUntouchedForeignFiles();
        assertThat(directory.resolve(pruned.files().get(0) + ".sha256")).doesNotExist();
    }

    @Test
    void keepsWhatIsYoungerThanTheAge() throws Exception {
        List<SnapshotCatalog.Entry> all = plant();

        Retention.Pruned pruned = new Retention(Optional.empty(), Optional.of(Duration.ofHours(84)), NONE).prune(all,
                "kairos", all.get(0).file(), NOW, entry -> false, true);

        assertThat(pruned.files()).hasSize(2);
        assertThat(kairosLeft()).containsExactly("2026-11-29", "2026-11-28", "2026-11-27");
        assertUntouchedForeignFiles();
    }

    @Test
    void keepsWhatEitherRuleKeeps() throws Exception {
        List<SnapshotCatalog.Entry> all = plant();

        new Retention(Optional.of(1), Optional.of(Duration.ofDays(2).plusHours(1)), NONE).prune(all, "kairos",
                all.get(0).file(), NOW, entry -> false, true);

        assertThat(kairosLeft()).containsExactly("2026-11-29", "2026-11-28");
        assertUntouchedForeignFiles();
    }

    @Test
    void alwaysKeepsTheNewestAndTheOneJustTaken() throws Exception {
        List<SnapshotCatalog.Entry> all = plant();

        // an age rule that keeps nothing, and a run whose file is not the newest (a clock set back)
        new Retention(Optional.empty(), Optional.of(Duration.ofMinutes(1)), NONE).prune(all, "kairos", all.get(3).file(), NOW,
                entry -> false, true);

        assertThat(kairosLeft()).containsExactly("2026-11-29", "2026-11-26");
    }

    @Test
    void keepsEverythingWithNoRule() throws Exception {
        List<SnapshotCatalog.Entry> all = plant();

        assertThat(
                new Retention(Optional.empty(), Optional.empty(), NONE)
                        .prune(all, "kairos", all.get(0).file(), NOW, entry -> false, true)
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

        Retention.Pruned pruned = new Retention(Optional.of(2), Optional.empty(), NONE).prune(all, "kairos",
                all.get(0).file(), NOW, entry -> false, true);

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

        Retention.Pruned pruned = new Retention(Optional.of(2), Optional.empty(), NONE).prune(all, "kairos",
                all.get(2).file(), NOW, entry -> false, true);

        // kept: the future-dated file and the failed one (left alone), then days 2 and 3 (the two places)
        assertThat(future).exists();
        assertThat(kairosLeft()).containsExactly("2026-12-30", "2026-11-29", "2026-11-28", "2026-11-27");
        assertThat(pruned.files()).hasSize(2);
    }

    private static Calendar calendar(Integer daily, Integer weekly, Integer monthly, Integer yearly) {
        return new Calendar(Optional.ofNullable(daily), Optional.ofNullable(weekly), Optional.ofNullable(monthly),
                Optional.ofNullable(yearly));
    }

    /** What {@code rules} keep of {@code newestFirst}, as the instants kept. */
    private static List<Instant> kept(Retention rules, List<Instant> newestFirst) {
        List<List<String>> why = rules.keptBy(newestFirst, NOW);
        return IntStream.range(0, newestFirst.size()).filter(i -> !why.get(i).isEmpty()).mapToObj(newestFirst::get)
                .toList();
    }

    @Test
    void keepsTheNewestOfEachDayWeekAndMonthThatHoldsABackup() {
        // every 6 hours for 60 days back from Monday 2026-11-30 12:00 UTC: 240 backups, the oldest 2026-10-01 18:00
        List<Instant> every6h = IntStream.range(0, 240).mapToObj(i -> NOW.minus(Duration.ofHours(6L * i))).toList();

        Retention rules = new Retention(Optional.empty(), Optional.empty(), calendar(7, 4, 3, null));

        assertThat(kept(rules, every6h)).extracting(Instant::toString).containsExactly(
                "2026-11-30T12:00:00Z", // today's newest: day, ISO week (from Monday 11-30) and month
                "2026-11-29T18:00:00Z", // days 2 to 7; also the newest of the week of Monday 11-23
                "2026-11-28T18:00:00Z", "2026-11-27T18:00:00Z", "2026-11-26T18:00:00Z", "2026-11-25T18:00:00Z",
                "2026-11-24T18:00:00Z",
                "2026-11-22T18:00:00Z", "2026-11-15T18:00:00Z", // weeks 3 and 4 (Sundays end them)
                "2026-10-31T18:00:00Z"); // October's newest; September holds none, so a third month keeps nothing
        assertThat(rules.describe()).isEqualTo("keep-daily=7 and keep-weekly=4 and keep-monthly=3");
        // and why, as the retention preview says it
        List<List<String>> why = rules.keptBy(every6h, NOW);
        assertThat(why.get(0)).containsExactly("newest", "keep-daily", "keep-weekly", "keep-monthly");
        assertThat(why.get(3)).containsExactly("keep-daily", "keep-weekly"); // 11-29 18:00
        assertThat(why.get(1)).isEmpty(); // 11-30 06:00: today has a newer one

    }

    @Test
    void aPauseInBackupsRotatesNothingOut() {
        // four backups ten days apart: keep-daily=3 counts days that hold one, so the three newest stay
        List<Instant> sparse = List.of(NOW, NOW.minus(Duration.ofDays(10)), NOW.minus(Duration.ofDays(20)),
                NOW.minus(Duration.ofDays(30)));

        assertThat(kept(new Retention(Optional.empty(), Optional.empty(), calendar(3, null, null, null)), sparse))
                .containsExactly(sparse.get(0), sparse.get(1), sparse.get(2));
    }

    @Test
    void weeksAreIsoWeeksAcrossTheNewYearAndYearsAreCalendarYears() {
        List<Instant> newestFirst = List.of(Instant.parse("2027-01-03T10:00:00Z"), // Sunday of ISO week 2026-W53
                Instant.parse("2026-12-28T10:00:00Z"), // its Monday: the same week
                Instant.parse("2026-12-27T10:00:00Z"), // the Sunday before: week 52
                Instant.parse("2025-06-01T10:00:00Z"));

        assertThat(kept(new Retention(Optional.empty(), Optional.empty(), calendar(null, 2, null, null)), newestFirst))
                .containsExactly(newestFirst.get(0), newestFirst.get(2));
        assertThat(kept(new Retention(Optional.empty(), Optional.empty(), calendar(null, null, null, 3)), newestFirst))
                .containsExactly(newestFirst.get(0), newestFirst.get(1), newestFirst.get(3));
    }

    @Test
    void calendarRulesPruneFilesAndAddToTheOtherRules() throws Exception {
        List<SnapshotCatalog.Entry> all = plant(); // 1 to 5 days old: 11-29 (a Sunday) back to 11-25, one ISO week

        Retention.Pruned pruned = new Retention(Optional.empty(), Optional.empty(), calendar(2, 1, null, null))
                .prune(all, "kairos", all.get(0).file(), NOW, entry -> false, true);

        assertThat(kairosLeft()).containsExactly("2026-11-29", "2026-11-28");
        assertThat(pruned.files()).hasSize(3);
        assertUntouchedForeignFiles();

        List<SnapshotCatalog.Entry> left = entries();
        new Retention(Optional.empty(), Optional.of(Duration.ofDays(3)), calendar(null, null, null, 1)).prune(left,
                "kairos", left.get(0).file(), NOW, entry -> false, true);
        assertThat(kairosLeft()).containsExactly("2026-11-29", "2026-11-28");
    }

    private void assertUntouchedForeignFiles() {
        assertThat(directory.resolve("notes.txt")).hasContent("mine");
        assertThat(directory.resolve(".2026-11-30T11-59-00-000Z-kairos.snap.part")).hasContent("in flight");
        assertThat(directory.resolve("2020-01-01T00-00-00-000Z-kairos.snap")).exists();
        assertThat(directory.resolve("2026-10-31T12-00-00-000Z-other.snap")).exists();
        assertThat(directory.resolve("2026-10-31T12-00-00-000Z-other.snap.sha256")).exists();
    }
}
