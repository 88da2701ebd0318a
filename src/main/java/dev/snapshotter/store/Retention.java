package dev.snapshotter.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.IntStream;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.snapshotter.config.BoundedDuration;
import dev.snapshotter.config.CalendarRetention;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * {@code QDRANT_SNAPSHOT_KEEP_LAST}, {@code QDRANT_SNAPSHOT_KEEP_WITHIN} and the calendar rules
 * ({@code QDRANT_SNAPSHOT_KEEP_DAILY}, {@code _WEEKLY}, {@code _MONTHLY}, {@code _YEARLY}), applied right after a
 * verified run to the catalogued snapshots of that run's collection. A snapshot is kept when any rule keeps it; the
 * snapshot just taken and the newest one are always kept, and so is the newest that holds points while every newer one
 * holds none (its manifest counted none); snapshots dated in the future or that failed a re-read are left alone and take
 * no place; nothing outside the catalog (foreign files, other collections, temporary files) is ever looked at. Deleting
 * the {@code .snap} first means a half-pruned snapshot is never listed.
 */
public final class Retention {

    private static final Logger LOG = Logger.getLogger(Retention.class);

    /** A calendar period, in UTC (the time our file names give), and how a backup's time falls into one. */
    enum Period {
        DAILY("keep-daily", at -> at.toLocalDate()),
        WEEKLY("keep-weekly", at -> at.get(IsoFields.WEEK_BASED_YEAR) * 100 + at.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR)),
        MONTHLY("keep-monthly", at -> YearMonth.from(at)),
        YEARLY("keep-yearly", at -> at.getYear());

        final String rule;
        final Function<ZonedDateTime, Object> of;

        Period(String rule, Function<ZonedDateTime, Object> of) {
            this.rule = rule;
            this.of = of;
        }
    }

    /** Why a backup is kept besides the rules, whose names ({@code keep-last}, {@code keep-daily}...) say the rest. */
    public static final String NEWEST = "newest";
    public static final String JUST_TAKEN = "just taken";
    public static final String HOLDS_POINTS = "holds points";
    public static final String NOT_OFFSITE = "not off-site yet";
    public static final String NO_RULE = "no rule";

    private final Optional<Integer> keepLast;
    private final Optional<Duration> keepWithin;
    private final Map<Period, Integer> keepEach = new EnumMap<>(Period.class);

    public Retention(Optional<Integer> keepLast, Optional<Duration> keepWithin, CalendarRetention calendar) {
        this.keepLast = keepLast;
        this.keepWithin = keepWithin;
        calendar.keepDaily().ifPresent(n -> keepEach.put(Period.DAILY, n));
        calendar.keepWeekly().ifPresent(n -> keepEach.put(Period.WEEKLY, n));
        calendar.keepMonthly().ifPresent(n -> keepEach.put(Period.MONTHLY, n));
        calendar.keepYearly().ifPresent(n -> keepEach.put(Period.YEARLY, n));
    }

    /** Whether any rule is set: without one, nothing is pruned. */
    public boolean any() {
        return keepLast.isPresent() || keepWithin.isPresent() || !keepEach.isEmpty();
    }

    /**
     * Why each of the backups taken at {@code newestFirst} is kept by the rules (index for index; 0 is the newest, always
     * kept; an empty list: no rule keeps it): the first {@code keep-last}, those younger than {@code keep-within}, and
     * for each calendar rule the newest of each of the last N periods that hold one.
     */
    List<List<String>> keptBy(List<Instant> newestFirst, Instant now) {
        List<List<String>> why = new ArrayList<>();
        newestFirst.forEach(at -> why.add(new ArrayList<>()));
        if (newestFirst.isEmpty()) {
            return why;
        }
        why.get(0).add(NEWEST);
        keepLast.ifPresent(n -> why.subList(0, Math.min(n, newestFirst.size())).forEach(w -> w.add("keep-last")));
        keepWithin.ifPresent(age -> {
            for (int i = 0; i < newestFirst.size(); i++) {
                if (!newestFirst.get(i).isBefore(now.minus(age))) {
                    why.get(i).add("keep-within");
                }
            }
        });
        keepEach.forEach((period, count) -> {
            Object last = null;
            int periods = 0;
            for (int i = 0; i < newestFirst.size() && periods < count; i++) {
                Object of = period.of.apply(newestFirst.get(i).atZone(ZoneOffset.UTC));
                if (!of.equals(last)) { // the first met of a period is its newest
                    why.get(i).add(period.rule);
                    last = of;
                    periods++;
                }
            }
        });
        return why;
    }

    /** What retention decides for one backup: why it is kept (rule names, or one of the reasons above); none: it goes. */
    public record Decision<E>(E backup, List<String> keptBy) {

        public boolean goes() {
            return keptBy.isEmpty();
        }

        /** Whether nothing but {@code reason} keeps it. */
        public boolean keptOnlyBy(String reason) {
            return keptBy.equals(List.of(reason));
        }
    }

    /**
     * What the rules decide for each of {@code newestFirst} (the backups that count, newest first): kept by the rules,
     * as the one just taken, as the newest that holds points while every newer one holds none (read no further than
     * needed), or because it is {@code held}; else it goes. With no rule set, every backup is kept.
     */
    public <E> List<Decision<E>> decide(List<E> newestFirst, Function<E, Instant> createdAt, Predicate<E> justTaken,
            Predicate<E> holdsPoints, Predicate<E> held, Instant now) {
        List<List<String>> keptBy = keptBy(newestFirst.stream().map(createdAt).toList(), now);
        Integer newestWithPoints = null;
        List<Decision<E>> decisions = new ArrayList<>();
        for (int index = 0; index < newestFirst.size(); index++) {
            E backup = newestFirst.get(index);
            List<String> why = keptBy.get(index);
            if (!any()) {
                why.add(NO_RULE);
            }
            if (justTaken.test(backup)) {
                why.add(JUST_TAKEN);
            }
            if (why.isEmpty()) {
                if (newestWithPoints == null) {
                    newestWithPoints = newestHoldingPoints(newestFirst, holdsPoints);
                }
                if (index == newestWithPoints) {
                    why.add(HOLDS_POINTS);
                } else if (held.test(backup)) {
                    why.add(NOT_OFFSITE);
                }
            }
            decisions.add(new Decision<>(backup, List.copyOf(why)));
        }
        return decisions;
    }

    /**
     * The collection's snapshots in {@code catalog} that retention counts, newest first: a future-dated file or one
     * that failed its re-read is no backup to count, so it neither takes a place that keep-last grants nor is deleted
     * by these rules (an operator deletes it through the API).
     */
    public static List<SnapshotCatalog.Entry> counted(List<SnapshotCatalog.Entry> catalog, String collection,
            Instant now) {
        return catalog.stream().filter(entry -> entry.isOf(collection))
                .filter(entry -> !SnapshotCatalog.future(entry, now)).filter(SnapshotCatalog.Entry::verified).toList();
    }

    /** One backup as a preview shows it: kept, and why, or going at the next pruning. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record BackupVerdict(String file, Instant createdAt, boolean kept, List<String> keptBy) {
    }

    /** What the rules of one place ({@code keep-last=3 and keep-daily=7}; null: none) would do now. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PlacePreview(String rules, List<BackupVerdict> backups) {

        public static <E> PlacePreview of(Retention rules, List<Decision<E>> decisions, Function<E, String> file,
                Function<E, Instant> createdAt) {
            return new PlacePreview(rules.any() ? rules.describe() : null,
                    decisions.stream().map(d -> new BackupVerdict(file.apply(d.backup()), createdAt.apply(d.backup()),
                            !d.goes(), d.goes() ? null : d.keptBy())).toList());
        }
    }

    /** The rules as logs name them: {@code keep-last=3 and keep-within=7d}, {@code keep-daily=7 and keep-weekly=4}. */
    public String describe() {
        List<String> rules = new ArrayList<>();
        keepLast.ifPresent(n -> rules.add("keep-last=" + n));
        keepWithin.ifPresent(d -> rules.add("keep-within=" + BoundedDuration.describe(d)));
        keepEach.forEach((period, count) -> rules.add(period.rule + "=" + count));
        return String.join(" and ", rules);
    }

    /**
     * Where the newest of {@code newestFirst} that may hold points is, or -1: asked newest first and no further than
     * needed. A collection emptied by mistake (an app that recreated it, a delete) is backed up empty run after run;
     * that backup is kept while the newer ones hold none, so that the rules never rotate its last good backup out.
     */
    private static <E> int newestHoldingPoints(List<E> newestFirst, Predicate<E> holdsPoints) {
        return IntStream.range(0, newestFirst.size()).filter(i -> holdsPoints.test(newestFirst.get(i))).findFirst()
                .orElse(-1);
    }

    /**
     * Whether a backup may hold points, from the most its manifest counted ({@code points.max}): more than none, or
     * nothing said (no count, no manifest).
     */
    public static boolean holdsPoints(Long countedAtMost) {
        return countedAtMost == null || countedAtMost > 0;
    }

    /** Whether a backup in the directory may hold points, as its manifest says. */
    public static boolean holdsPoints(SnapshotCatalog.Entry entry) {
        Manifest.Points points = points(entry);
        return holdsPoints(points == null ? null : points.max());
    }

    /**
     * Says (a WARN, and the remark returned) when {@code justTaken}, the newest, holds under half the points of the
     * backup before it, at most and at least counted: points lost by mistake (a bulk delete, an app's bug) short of an
     * emptied collection, which the rules would otherwise rotate out of the backups unnoticed.
     */
    private static Optional<String> sharpDrop(List<SnapshotCatalog.Entry> newestFirst, Path justTaken) {
        if (newestFirst.size() < 2 || !newestFirst.get(0).file().equals(justTaken)) {
            return Optional.empty();
        }
        Manifest.Points now = points(newestFirst.get(0));
        Manifest.Points before = points(newestFirst.get(1));
        if (now == null || before == null || now.max() == null || before.min() == null
                || now.max() * 2 >= before.min()) {
            return Optional.empty();
        }
        String remark = newestFirst.get(0).fileName() + " holds " + now.max() + " points, under half the "
                + before.min() + " of " + newestFirst.get(1).fileName() + ", the backup before it: if points were lost, "
                + "that backup holds them (keep a copy before retention rotates it out)";
        LOG.warn(remark);
        return Optional.of(remark);
    }

    private static Manifest.Points points(SnapshotCatalog.Entry entry) {
        return entry.manifest() == null ? null : entry.manifest().points();
    }

    /** Says (a WARN, and the remark returned) that the rules would delete {@code file}, kept for its points. */
    public String keptForItsPoints(String file, int newer) {
        String remark = "Kept " + file + " although " + describe() + " would delete it: it is the newest backup that "
                + "holds points, and the " + newer + " newer one(s) hold none (was the collection emptied?)";
        LOG.warn(remark);
        return remark;
    }

    /** What a pruning did: the snapshot files deleted, and a remark per failed deletion. */
    public record Pruned(List<String> files, List<String> remarks) {
    }

    /**
     * Deletes the collection's backups the rules do not keep, never the newest or {@code justTaken}, nor the newest that
     * holds points while the newer ones hold none, and never a backup {@code held} keeps (one not yet copied off-site):
     * that one is named in a remark, and goes at a later pruning once it is no longer held. When {@code mayDelete} is
     * false (a restore or drill reads local backups now: the one it restores may be among them), what the rules would
     * delete is named in a remark instead, and goes at a later pruning.
     */
    public Pruned prune(List<SnapshotCatalog.Entry> newestFirst, String collection, Path justTaken, Instant now,
            Predicate<SnapshotCatalog.Entry> held, boolean mayDelete) {
        List<String> pruned = new ArrayList<>();
        List<String> remarks = new ArrayList<>();
        List<String> left = new ArrayList<>();
        List<SnapshotCatalog.Entry> ours = counted(newestFirst, collection, now);
        sharpDrop(ours, justTaken).ifPresent(remarks::add);
        if (!any()) {
            return new Pruned(pruned, remarks);
        }
        String why = describe();
        List<Decision<SnapshotCatalog.Entry>> decisions = decide(ours, SnapshotCatalog.Entry::createdAt,
                entry -> entry.file().equals(justTaken), Retention::holdsPoints, held, now);
        for (int index = 0; index < ours.size(); index++) {
            Decision<SnapshotCatalog.Entry> decision = decisions.get(index);
            SnapshotCatalog.Entry entry = decision.backup();
            if (decision.keptOnlyBy(HOLDS_POINTS)) {
                remarks.add(keptForItsPoints(entry.fileName(), index));
                continue;
            }
            if (decision.keptOnlyBy(NOT_OFFSITE)) {
                String remark = "Kept " + entry.fileName() + " although " + why + " would delete it: it is not off-site "
                        + "yet";
                LOG.info(remark);
                remarks.add(remark);
                continue;
            }
            if (!decision.goes()) {
                continue;
            }
            if (!mayDelete) {
                left.add(entry.fileName());
                continue;
            }
            try {
                SnapshotCatalog.deleteFirst(entry);
            } catch (IOException e) {
                String remark = "Could not delete " + entry.fileName() + " (" + why + "): "
                        + SnapshotFileWriter.reason(e);
                LOG.warn(remark);
                remarks.add(remark);
                continue;
            }
            for (Path beside : entry.files().subList(1, entry.files().size())) {
                try {
                    Files.deleteIfExists(beside);
                } catch (IOException e) {
                    String remark = "Deleted " + entry.fileName() + " but not " + beside.getFileName() + ": "
                            + SnapshotFileWriter.reason(e);
                    LOG.warn(remark);
                    remarks.add(remark);
                }
            }
            LOG.infof("Pruned %s (%s)", entry.fileName(), why);
            pruned.add(entry.fileName());
        }
        if (!left.isEmpty()) {
            String remark = "Left " + String.join(", ", left) + " for a later pruning, although " + why + " would "
                    + "delete " + (left.size() == 1 ? "it" : "them") + ": a restore or drill is reading local snapshots";
            LOG.info(remark);
            remarks.add(remark);
        }
        return new Pruned(pruned, remarks);
    }
}
