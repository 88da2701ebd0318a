package dev.snapshotter.restore;

import static dev.snapshotter.restore.RestoreService.CALL;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Stream;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.snapshotter.config.QdrantConfig;
import dev.snapshotter.config.RunMode;
import dev.snapshotter.offsite.OffsiteDrills;
import dev.snapshotter.qdrant.QdrantClient;
import dev.snapshotter.qdrant.QdrantException;
import dev.snapshotter.snapshot.BootSnapshot;
import dev.snapshotter.snapshot.Cadence;
import dev.snapshotter.snapshot.Cancellation;
import dev.snapshotter.snapshot.QdrantSnapshotTarget;
import dev.snapshotter.snapshot.SnapshotReport;
import dev.snapshotter.snapshot.SnapshotService;
import dev.snapshotter.store.SnapshotCatalog;
import dev.snapshotter.store.SnapshotFileWriter;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduler;

/**
 * A restore drill: proves that a snapshot comes back. The newest verified snapshot of {@code QDRANT_COLLECTION} (or a
 * named one) is restored into a scratch collection {@code <QDRANT_DRILL_PREFIX><collection>-<UTC time>} with every
 * check of a restore (verification, version, status, the exact count, the vector params, the point ids recorded at
 * snapshot time read back), and the scratch collection is dropped whatever happened. It never touches the real
 * collection or its aliases, and refuses a scratch name that exists. The result is kept beside the snapshot (its
 * catalog entry shows the last drill) and counted. Made at boot, so that its series are published at zero from the
 * start, for dashboards and alerts.
 */
@ApplicationScoped
@Startup
public class DrillService {

    private static final Logger LOG = Logger.getLogger(DrillService.class);
    static final String LEFT_SCRATCH_JOB = "drill-scratch-left";
    /**
     * How long after a drop of a scratch collection an earlier process left failed it is tried again, doubling after
     * each failure in a row ({@link Cadence#untilDone}).
     */
    static final Duration LEFT_SCRATCH_RETRY = Duration.ofMinutes(1);
    private static final DateTimeFormatter SCRATCH_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC);

    private final SnapshotService runs;
    private final RestoreService restores;
    private final SnapshotCatalog catalog;
    private final QdrantClient qdrant;
    private final QdrantConfig config;
    private final MeterRegistry registry;
    private final Gauge lastSuccessGauge;
    private final Gauge scratchLeftGauge;
    /** The scratch collection of the drill going now, or null. */
    private volatile SnapshotCatalog.Scratch going;
    private final AtomicLong lastSuccess = new AtomicLong();
    private final OffsiteDrills offsiteDrills;
    /** Held while recorded scratch collections are dropped: by a drill, or after the boot. */
    private final Object droppingLeft = new Object();

    DrillService(SnapshotService runs, RestoreService restores, SnapshotCatalog catalog, OffsiteDrills offsiteDrills,
            QdrantClient qdrant, QdrantConfig config, MeterRegistry registry) {
        this.runs = runs;
        this.restores = restores;
        this.catalog = catalog;
        this.offsiteDrills = offsiteDrills;
        // QDRANT_DRILL_URL: a throwaway Qdrant; the production one otherwise
        this.qdrant = config.drill().url().map(qdrant::at).orElse(qdrant);
        this.config = config;
        this.registry = registry;
        counter("passed");
        counter("failed");
        counter("refused");
        // it reads this instance: it leaves the registry with it, which outlives the application (a dev-mode reload
        // starts a new one in the same JVM)
        lastSuccessGauge = Gauge.builder("snapshotter.last.drill.success.timestamp", this,
                DrillService::lastSuccessSeconds).baseUnit("seconds")
                .description("Unix time of the last restore drill that passed, 0 before the first").register(registry);
        scratchLeftGauge = Gauge.builder("snapshotter.drill.scratch.left", this, DrillService::scratchLeft)
                .description("Scratch collections of earlier restore drills not known to be dropped: each may be a "
                        + "whole copy of the collection on the drill Qdrant")
                .register(registry);
    }

    @PreDestroy
    void unbind() {
        registry.remove(lastSuccessGauge);
        registry.remove(scratchLeftGauge);
    }

    private Counter counter(String result) {
        return Counter.builder("snapshotter.drills").tag("result", result)
                .description("Restore drills into a scratch collection, by result").register(registry);
    }

    /**
     * Runs one drill, taking the single-flight slot.
     *
     * @param file a listed snapshot, or null for the newest verified snapshot of {@code QDRANT_COLLECTION}
     */
    public RestoreReport drill(String file) throws RestoreRefused {
        try (SnapshotService.Run run = runs.begin(SnapshotReport.Reason.RESTORE)) {
            return drillUnder(run, file);
        }
    }

    /** Runs one drill under a slot the caller holds (the API's, which may answer before the drill ends). */
    public RestoreReport drillUnder(SnapshotService.Run run, String file) throws RestoreRefused {
        run.phase("drilling");
        try (SnapshotCatalog.Reading reading = catalog.reading()) {
            RestoreReport report = drill(file, run.cancellation());
            run.finish(report);
            return report;
        } catch (RestoreRefused e) {
            run.refused("Restore drill refused: " + e.getMessage());
            throw e;
        }
    }

    private RestoreReport drill(String file, Cancellation cancelled) throws RestoreRefused {
        List<String> leftBehind = dropLeftScratch(left -> true, cancelled).remarks();
        Instant at = Instant.now();
        SnapshotCatalog.Entry entry;
        String scratch;
        try {
            entry = restores.pick(file, null);
            scratch = scratchName(RestoreService.snapshotOf(entry), at);
            boolean exists;
            try {
                exists = qdrant.exists(scratch, CALL, cancelled);
            } catch (QdrantException e) {
                throw new RestoreRefused(QdrantSnapshotTarget.failure(e).kind(), "The drill did not run: whether its scratch "
                        + "collection `" + scratch + "` exists could not be told: " + e.getMessage());
            }
            if (exists) {
                throw new RestoreRefused(RestoreRefused.Kind.CONFLICT, "The drill's scratch collection `" + scratch
                        + "` exists on Qdrant; a drill never restores over a collection, so it did not run");
            }
        } catch (RestoreRefused e) {
            counter("refused").increment();
            LOG.warnf("Restore drill refused: %s", e.getMessage());
            throw e;
        }
        LOG.infof("Restore drill started: file=%s scratch=%s", entry.fileName(), scratch);
        SnapshotCatalog.Scratch created = new SnapshotCatalog.Scratch(scratch, qdrant.url().toString(), at.toString());
        going = created;
        keep(created, true);
        RestoreReport report;
        try {
            report = dropScratch(restoreInto(entry, scratch, cancelled), created);
        } catch (RestoreRefused e) {
            // the snapshot cannot be restored here (it fails verification, a version Qdrant cannot read): a failed
            // drill, kept beside it; nothing reached Qdrant, so there is nothing to drop
            keep(created, false);
            record(entry, at, false, e.getMessage());
            counter("failed").increment();
            LOG.errorf("Restore drill failed: file=%s: %s", entry.fileName(), e.getMessage());
            throw e;
        } finally {
            going = null; // what the drill did not drop stays recorded: left
        }
        boolean passed = report.drillPassed();
        // recorded before it is counted: a scrape that counts the drill finds it on record
        record(entry, at, passed, passed ? null : report.message());
        counter(passed ? "passed" : "failed").increment();
        if (passed) {
            lastSuccess.set(at.getEpochSecond()); // its drilledAt, as the records keep it for a restart
            LOG.infof("Restore drill passed: file=%s scratch=%s points=%d sample=%s duration=%dms", entry.fileName(),
                    scratch, report.pointsFound(), report.sampleChecked(), report.durationMs());
        } else {
            LOG.errorf("Restore drill failed: file=%s scratch=%s: %s", entry.fileName(), scratch, report.message());
        }
        for (String remark : leftBehind) {
            report = report.remarked(remark);
        }
        return report;
    }

    /**
     * Restores {@code entry} into {@code scratch}; a local copy that fails its re-read gives way to its off-site copy,
     * fetched and verified in its place, as a restore's does: the drill proves what a restore would do.
     */
    private RestoreReport restoreInto(SnapshotCatalog.Entry entry, String scratch, Cancellation cancelled)
            throws RestoreRefused {
        return restores.onSoundCopy(entry, picked -> restores.restoreEntry(qdrant, picked, scratch, false, false, false,
                false, cancelled, RestoreService.BeforeOverwrite.NOTHING), "drilled");
    }

    /**
     * What {@link #dropLeftScratch} did: a remark per scratch collection it tried (each said at WARN too), and how many
     * of them could not be dropped (they stay recorded).
     */
    private record LeftDropped(List<String> remarks, int notDropped) {
    }

    /**
     * Drops those of the scratch collections on this drill's Qdrant that earlier drills created and did not see dropped
     * (the process stopped during the drill, or the drop failed) that {@code which} takes, each a whole copy of a
     * collection. One at a time, a drill's and the boot's (see {@link #onStart}), so that a collection is dropped once.
     */
    private LeftDropped dropLeftScratch(Predicate<SnapshotCatalog.Scratch> which, BooleanSupplier cancelled) {
        synchronized (droppingLeft) {
            List<String> remarks = new ArrayList<>();
            int notDropped = 0;
            for (SnapshotCatalog.Scratch left : leftHere()) {
                if (which.test(left)) {
                    try {
                        dropWithItsSnapshots(left.collection(), cancelled);
                        keep(left, false);
                        remarks.add("Dropped collection `" + left.collection() + "`, the scratch collection of the "
                                + "drill started " + left.since() + ", which did not drop it (the process stopped "
                                + "during it, its drop failed, or Qdrant went on restoring into it)");
                    } catch (QdrantException e) {
                        notDropped++;
                        remarks.add("The scratch collection `" + left.collection() + "` of the drill started "
                                + left.since() + " may still be on Qdrant and could not be dropped (the next drill "
                                + "tries again): " + e.getMessage());
                    }
                    LOG.warn(remarks.get(remarks.size() - 1));
                }
            }
            return new LeftDropped(remarks, notDropped);
        }
    }

    /**
     * The scratch collections the directory or the bucket records on this drill's Qdrant (not on one it no longer drills
     * on).
     */
    private List<SnapshotCatalog.Scratch> leftHere() {
        String here = qdrant.url().toString();
        return Stream.concat(catalog.drillHistory().scratch().stream(), offsiteDrills.scratch().stream()).distinct()
                .filter(left -> here.equals(left.qdrant())).toList();
    }

    /**
     * The scratch collections that drills of an earlier process left on this drill's Qdrant (it stopped during them, or
     * their drop failed) are dropped once the boot has settled, rather than by the next drill, which a weekly schedule
     * puts days away: each is a whole copy of a collection. Those the directory records at boot, and those the bucket
     * records from before it (a pod without a volume): none of them is a drill going, as this process holds the
     * directory's lock. A drop that fails is tried again after {@link #LEFT_SCRATCH_RETRY}, the wait doubling (and by
     * each drill), until none of them is left.
     */
    void onStart(@Observes StartupEvent event, Scheduler scheduler, BootSnapshot boot) {
        if (RunMode.isCommand()) {
            return; // a command (restore, list) does what it was asked and nothing else
        }
        Instant started = Instant.now();
        Set<SnapshotCatalog.Scratch> inDirectory = Set.copyOf(catalog.drillHistory().scratch());
        if (inDirectory.isEmpty() && !offsiteDrills.recordsScratch()) {
            return;
        }
        AtomicReference<Set<SnapshotCatalog.Scratch>> leftAtBoot = new AtomicReference<>();
        Cadence.untilDone(scheduler, LEFT_SCRATCH_JOB, boot, runs::shuttingDown, LEFT_SCRATCH_RETRY, () -> {
            if (leftAtBoot.get() == null) { // the bucket's, read once the boot has settled
                Set<SnapshotCatalog.Scratch> left = new HashSet<>(inDirectory);
                offsiteDrills.scratch().stream().filter(recorded -> before(recorded, started)).forEach(left::add);
                leftAtBoot.set(left);
                forgetElsewhere(left);
            }
            // none is left once every one still recorded here was dropped (a drill may have dropped some)
            return dropLeftScratch(leftAtBoot.get()::contains, runs::shuttingDown).notDropped() == 0;
        });
    }

    /**
     * Forgets the scratch collections of {@code left} recorded on another Qdrant than this drill's ({@code QDRANT_DRILL_URL}
     * changed since), which this service can no longer drop, each said at WARN for an operator to drop by hand: kept, they
     * would be recorded for good.
     */
    private void forgetElsewhere(Set<SnapshotCatalog.Scratch> left) {
        String here = qdrant.url().toString();
        for (SnapshotCatalog.Scratch elsewhere : left) {
            if (!here.equals(elsewhere.qdrant())) {
                LOG.warnf("The scratch collection `%s` of the drill started %s was made on the Qdrant at %s, where this "
                        + "service no longer drills (QDRANT_DRILL_URL changed since): it may still be there, so drop it "
                        + "there by hand; it is forgotten here", elsewhere.collection(), elsewhere.since(),
                        elsewhere.qdrant());
                keep(elsewhere, false);
            }
        }
    }

    /** Whether {@code scratch} was recorded before {@code at} (a time that cannot be read is no drill of this one's). */
    private static boolean before(SnapshotCatalog.Scratch scratch, Instant at) {
        try {
            return Instant.parse(scratch.since()).isBefore(at);
        } catch (RuntimeException e) {
            return true;
        }
    }

    /** Drops {@code scratch} with every snapshot Qdrant keeps of it (the copies of the drill's uploads). */
    private void dropWithItsSnapshots(String scratch, BooleanSupplier cancelled) {
        RestoreService.dropWithCopies(qdrant, restores.nodesOf(qdrant), scratch, name -> true, cancelled);
    }

    /**
     * Records {@code scratch} as created (before the upload), or forgets it (dropped, or never created), in the
     * directory and, for a pod without a volume, in the bucket ({@link OffsiteDrills#recordsScratch}); a record that
     * cannot be written is a warning: the drill goes on.
     */
    private void keep(SnapshotCatalog.Scratch scratch, boolean created) {
        offsiteDrills.scratch(scratch, created);
        try {
            if (created) {
                catalog.scratchCreating(scratch);
            } else {
                catalog.scratchGone(scratch);
            }
        } catch (IOException e) {
            LOG.warnf("The drill's record of its scratch collection `%s` could not be written: %s",
                    scratch.collection(), SnapshotFileWriter.reason(e));
        }
    }

    private void record(SnapshotCatalog.Entry entry, Instant at, boolean passed, String message) {
        SnapshotCatalog.Drill drill = SnapshotCatalog.Drill.of(at, passed, message);
        try {
            catalog.recordDrill(entry, drill);
        } catch (IOException e) {
            LOG.warnf("The drill's result could not be kept beside %s: %s", entry.fileName(),
                    SnapshotFileWriter.reason(e));
        }
        offsiteDrills.record(drill);
    }

    /**
     * The scratch collection is dropped whatever the restore did (a 404: it was never made), with any copy of the
     * upload the restore could not delete; one that cannot be stays recorded, and the next drill drops it.
     */
    private RestoreReport dropScratch(RestoreReport report, SnapshotCatalog.Scratch scratch) {
        try {
            dropWithItsSnapshots(scratch.collection(), () -> false);
            if (Boolean.TRUE.equals(report.qdrantStillRestoring())) {
                // Qdrant's restore goes on, and creates the collection anew: a whole copy left, unless dropped again
                String remark = "Dropped the scratch collection `" + scratch.collection() + "`, but Qdrant may still "
                        + "be restoring into it, which creates it anew: it stays recorded, and the next drill, or the "
                        + "next boot, drops it again";
                LOG.warn(remark);
                return report.drilled(true, remark);
            }
            keep(scratch, false);
            return report.drilled(true, null);
        } catch (QdrantException e) {
            LOG.errorf("The drill's scratch collection `%s` could not be dropped: %s", scratch.collection(),
                    e.getMessage());
            return report.drilled(false, "The scratch collection `" + scratch.collection() + "` could not be dropped "
                    + "(the next drill tries again, or drop it by hand): " + e.getMessage());
        }
    }

    /** {@code <prefix><collection>-<UTC yyyyMMdd-HHmmss>}. */
    String scratchName(String collection, Instant at) {
        return config.drill().prefix() + collection + "-" + SCRATCH_TIME.format(at);
    }

    /**
     * The scratch collections recorded as not known to be dropped, that of the drill going now aside: in the directory,
     * or in the bucket as far as known without waiting on it (with {@code KEEP_LOCAL=false} it records them all, a pod's
     * before this one's too).
     */
    private double scratchLeft() {
        SnapshotCatalog.Scratch now = going;
        long here;
        try {
            here = catalog.drillHistory().scratch().stream().filter(left -> !left.equals(now)).count();
        } catch (RuntimeException e) {
            here = 0; // the directory is not there yet (boot)
        }
        return Math.max(here, offsiteDrills.scratchKnown(now == null ? null : Instant.parse(now.since())));
    }

    /**
     * The last drill that passed: this process's, or, until it has run one, the newest the directory and the bucket
     * record (so a restart does not reset the gauge to 0 and fire a stale-drill alert). A scrape never waits on the
     * bucket: until its records are read (in the background), the directory's count alone, and nothing is kept.
     */
    private double lastSuccessSeconds() {
        long known = lastSuccess.get();
        if (known == 0) {
            boolean complete = offsiteDrills.listed();
            known = newest(recorded(true), offsiteDrills.lastKnown(true)).map(Instant::getEpochSecond).orElse(0L);
            if (complete) {
                lastSuccess.compareAndSet(0, known);
            }
        }
        return known;
    }

    /**
     * When the last drill (or the last that passed) ran, if one did: the newest of the records beside the snapshots, of
     * the directory's drill history, which keeps drills of snapshots retention pruned since, and with off-site copies
     * on, of the bucket's, which outlives a directory without a volume (listed the first time, at most 10 s).
     */
    Optional<Instant> lastDrill(boolean passedOnly) {
        return newest(recorded(passedOnly), offsiteDrills.last(passedOnly));
    }

    private static Optional<Instant> newest(Stream<Instant> local, Optional<Instant> offsite) {
        return Stream.concat(local, offsite.stream()).max(Instant::compareTo);
    }

    /** The drills the directory records: beside the snapshots, and in its drill history. */
    private Stream<Instant> recorded(boolean passedOnly) {
        try {
            SnapshotCatalog.DrillHistory history = catalog.drillHistory();
            return Stream.concat(catalog.list().stream().map(SnapshotCatalog.Entry::lastDrill).filter(d -> d != null)
                    .filter(d -> !passedOnly || d.passed()).map(SnapshotCatalog.Drill::drilledAt),
                    Stream.of(passedOnly ? history.lastPassedAt() : history.lastDrilledAt()))
                    .filter(d -> d != null).map(Instant::parse).toList().stream();
        } catch (RuntimeException e) {
            return Stream.empty(); // the directory is not there yet (boot), or a record is unreadable
        }
    }
}
