package dev.snapshotter.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.context.ManagedExecutor;
import org.jboss.logging.Logger;

import dev.snapshotter.config.QdrantConfig;
import dev.snapshotter.net.RateLimit;
import dev.snapshotter.offsite.OffsiteCatalog;
import dev.snapshotter.offsite.OffsiteIntegrity;
import dev.snapshotter.offsite.OffsiteMetrics;
import dev.snapshotter.qdrant.SnapshotArchive;
import dev.snapshotter.store.SnapshotCatalog;
import dev.snapshotter.store.SnapshotCatalog.IntegrityCheck;
import dev.snapshotter.store.SnapshotCatalog.Verification;
import dev.snapshotter.store.SnapshotDirectory;
import dev.snapshotter.store.SnapshotFailure;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduler;

/**
 * {@code QDRANT_SNAPSHOT_VERIFY_SCHEDULE}: integrity checks of the whole directory on Quarkus's scheduler, once the
 * boot has settled. Each re-reads every listed snapshot and backup set against its checksum file, with the offline
 * archive check, as {@code POST /api/snapshots/{file}/verify} does one: a backup that rotted on disk is marked (never
 * restored, never taken for the newest) and counted in {@code snapshotter_snapshots_failing_verification} before a
 * restore needs it; a good copy put back is unmarked by the next check. With off-site copies on, a snapshot (or a
 * set's member) that rotted is healed at once: its off-site copy, fetched and verified, takes its place. It runs beside
 * snapshot runs
 * (it reads, writing only a copy that heals one, and a snapshot retention deletes meanwhile is skipped), one check at a time.
 * The
 * {@code every <duration>} form is due one interval after the last check the directory records
 * ({@code .integrity.json}) or, with the bucket set, the bucket does ({@link OffsiteIntegrity}: a pod without its
 * volume does not read every backup again at each boot), at once when there is none ({@link Cadence}).
 */
@ApplicationScoped
class IntegrityChecks {

    static final String JOB = "verify-schedule";
    private static final Logger LOG = Logger.getLogger(IntegrityChecks.class);

    private final QdrantConfig config;
    private final Scheduler scheduler;
    private final SnapshotCatalog catalog;
    private final SnapshotDirectory directory;
    private final SnapshotMetrics metrics;
    private final BootSnapshot boot;
    private final OffsiteCatalog offsite;
    private final OffsiteMetrics offsiteMetrics;
    private final OffsiteIntegrity offsiteRecord;
    private final ManagedExecutor executor;
    /** When the check whose time and finding the gauges show started; null before one. */
    private Instant published;
    /** Shutdown has begun: a check going stops after the file it reads, and records nothing. */
    private volatile boolean stopping;

    IntegrityChecks(QdrantConfig config, Scheduler scheduler, SnapshotCatalog catalog, SnapshotDirectory directory,
            SnapshotMetrics metrics, BootSnapshot boot, OffsiteCatalog offsite, OffsiteMetrics offsiteMetrics,
            OffsiteIntegrity offsiteRecord, ManagedExecutor executor) {
        this.config = config;
        this.scheduler = scheduler;
        this.catalog = catalog;
        this.directory = directory;
        this.metrics = metrics;
        this.boot = boot;
        this.offsite = offsite;
        this.offsiteMetrics = offsiteMetrics;
        this.offsiteRecord = offsiteRecord;
        this.executor = executor;
    }

    void onStart(@Observes StartupEvent event) {
        catalog.lastIntegrityCheck().ifPresent(last -> publish(last, false));
        config.snapshot().verifySchedule().ifPresent(schedule -> {
            if (offsite.enabled()) {
                // a pod without its directory: the bucket's record, read without holding the boot up
                executor.execute(() -> offsiteRecord.last().ifPresent(last -> publish(last, false)));
            }
            Cadence.schedule(scheduler, JOB, schedule, "integrity check", this::lastStarted, boot, this::check);
            LOG.infof("Integrity checks of %s scheduled %s%s", config.snapshot().dir(), schedule,
                    !offsite.enabled() ? ""
                            : config.snapshot().verifyOffsite() ? ", and of the backups only off-site"
                                    : " (the backups only off-site are not read: QDRANT_SNAPSHOT_VERIFY_OFFSITE)");
        });
    }

    /** When the last check the directory or the bucket records started. */
    private Optional<Instant> lastStarted() {
        return Stream.of(catalog.lastIntegrityCheck(), offsiteRecord.last()).flatMap(Optional::stream)
                .map(last -> Instant.parse(last.startedAt())).max(Comparator.naturalOrder());
    }

    /**
     * Publishes when {@code check} started and, when it read the backups only off-site, how many it found failing.
     *
     * @param ours a check that just ran, published whatever the records say; a recorded one only when it started after
     *        the one published
     */
    private synchronized void publish(IntegrityCheck check, boolean ours) {
        Instant started = Instant.parse(check.startedAt());
        if (!ours && published != null && !started.isAfter(published)) {
            return;
        }
        published = started;
        metrics.integrityChecked(started);
        if (check.offsiteFailed() != null) {
            offsiteMetrics.failingVerification(check.offsiteFailed().size());
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
    }

    /**
     * Re-reads every listed snapshot and set once (and with {@code QDRANT_SNAPSHOT_VERIFY_OFFSITE}, every backup of
     * {@code QDRANT_COLLECTION} only off-site); records, logs and publishes what it found.
     *
     * @return the record, or null when shutdown stopped it (nothing recorded)
     */
    IntegrityCheck check() {
        Instant started = Instant.now();
        UnaryOperator<InputStream> source = config.snapshot().verifyRate().map(RateLimit::new)
                .<UnaryOperator<InputStream>> map(rate -> rate::paced).orElse(UnaryOperator.identity());
        Set<String> local = new HashSet<>();
        List<String> failed = new ArrayList<>();
        long bytes = 0;
        // what no check can read, nothing vouching for it: vouched for again by what its run recorded, else healed from
        // the bucket, so that it is read below
        List<String> unlisted = new ArrayList<>(catalog.unlisted());
        unlisted.removeIf(name -> revouched(name) || healedUnlisted(name));
        catalog.warnUnlisted(unlisted);
        for (SnapshotCatalog.Entry entry : catalog.list()) {
            if (stopping) {
                return stopped(local.size());
            }
            local.add(entry.fileName());
            Optional<Verification> verification;
            try {
                verification = catalog.verifyIfListed(entry, SnapshotArchive::new, source);
            } catch (IOException e) {
                // the verdict could not be written beside it (the directory takes no writes): nothing vouches for it
                LOG.errorf("Integrity check: the verdict on %s could not be written: %s", entry.fileName(),
                        e.getMessage());
                verification = Optional.of(new Verification(entry.fileName(), false, null, entry.sha256(),
                        e.getMessage()));
            }
            if (verification.isEmpty()) {
                local.remove(entry.fileName()); // deleted meanwhile (retention, DELETE): no finding
                continue;
            }
            bytes += entry.bytes();
            if (!verification.get().verified() && !healed(entry)) {
                failed.add(entry.fileName());
            }
        }
        Integer offsiteChecked = null;
        List<String> offsiteFailed = null;
        if (config.snapshot().verifyOffsite() && offsite.enabled()) {
            int read = 0;
            List<String> failing = new ArrayList<>();
            try {
                for (OffsiteCatalog.Remote remote : offsite.listRemote()) {
                    if (stopping) {
                        return stopped(local.size() + read);
                    }
                    if (local.contains(remote.fileName())) {
                        continue; // a copy is in the directory, read just now
                    }
                    if (!offsite.backsUp(remote, config.collection())) {
                        continue; // another collection's: the instance that backs it up reads it
                    }
                    Optional<Verification> verification = offsite.verify(remote, SnapshotArchive::new, source);
                    if (verification.isPresent()) {
                        read++;
                        bytes += remote.size();
                        if (!verification.get().verified()) {
                            failing.add(remote.fileName());
                        }
                    }
                }
                offsiteChecked = read;
                offsiteFailed = List.copyOf(failing);
            } catch (SnapshotFailure | IOException e) {
                // the store failed, not a backup: nothing is found failing for it, and the gauge keeps its last word
                LOG.errorf("Integrity check: the backups only off-site could not all be read (%d were): %s", read,
                        e.getMessage());
            }
        }
        Instant finished = Instant.now();
        IntegrityCheck check = new IntegrityCheck(started.toString(), finished.toString(), local.size(), bytes,
                List.copyOf(failed), offsiteChecked, offsiteFailed);
        try {
            catalog.recordIntegrityCheck(check);
        } catch (IOException | IllegalStateException e) {
            LOG.warnf("Integrity check: its record could not be written in %s (%s); the `every` schedule counts "
                    + "from the last one recorded", config.snapshot().dir(), e.getMessage());
        }
        offsiteRecord.record(check);
        publish(check, true);
        report(check, Duration.between(started, finished));
        return check;
    }

    /**
     * Puts a sound copy in place of {@code entry}, a snapshot or set whose local copy just failed its re-read (and is
     * marked): its off-site copy, fetched and verified against the SHA-256 recorded with it, then renamed over it, the
     * mark lifted. Whether it was; one that could not be is said at ERROR, and stays marked.
     */
    private boolean healed(SnapshotCatalog.Entry entry) {
        try {
            // the off-site catalog says it at WARN, naming the copy that took its place
            return offsite.replaceRotted(entry).isPresent();
        } catch (SnapshotFailure e) {
            LOG.errorf("Integrity check: %s failed verification in %s, and its off-site copy could not take its place: "
                    + "%s", entry.fileName(), directory.path(), e.getMessage());
            return false;
        }
    }

    /** Whether {@code name}, named as a backup but not listed, is listed again ({@link SnapshotCatalog#revouch}). */
    private boolean revouched(String name) {
        try {
            return catalog.revouch(name);
        } catch (IOException | RuntimeException e) {
            LOG.warnf("Integrity check: what the run that took %s recorded could not be read: %s", name, e.getMessage());
            return false;
        }
    }

    /**
     * Puts the off-site copy of {@code name}, a backup the directory holds but nothing vouches for (a snapshot without a
     * readable checksum file, a set that lost its {@code set.json}, a member or a member's checksum file), in its place
     * ({@link OffsiteCatalog#replaceUnlisted}). Whether it was; one that could not be is said at ERROR.
     */
    private boolean healedUnlisted(String name) {
        try {
            return offsite.replaceUnlisted(name).isPresent();
        } catch (SnapshotFailure e) {
            LOG.errorf("Integrity check: %s is in %s but nothing vouches for it, and its off-site copy could not take "
                    + "its place: %s", name, directory.path(), e.getMessage());
            return false;
        }
    }

    private IntegrityCheck stopped(int read) {
        LOG.infof("Integrity check stopped by shutdown after %d backups; the next check reads them all", read);
        return null;
    }

    private void report(IntegrityCheck check, Duration took) {
        String offsiteRead = check.offsiteChecked() == null ? ""
                : " and " + check.offsiteChecked() + " only off-site";
        if (!check.failed().isEmpty()) {
            LOG.errorf("Integrity check: %d of %d snapshots in %s fail verification: %s. Each is marked (never "
                    + "restored; GET /api/snapshots shows it): put a good copy back (from off-site) or delete it",
                    check.failed().size(), check.checked(), directory.path(), String.join(", ", check.failed()));
        }
        if (check.offsiteFailed() != null && !check.offsiteFailed().isEmpty()) {
            LOG.errorf("Integrity check: %d of %d backups only off-site fail verification: %s. A restore that fetches "
                    + "one refuses it; delete it from the bucket, or copy a good one there", check.offsiteFailed().size(),
                    check.offsiteChecked(), String.join(", ", check.offsiteFailed()));
        }
        if (check.failed().isEmpty() && (check.offsiteFailed() == null || check.offsiteFailed().isEmpty())) {
            LOG.infof("Integrity check: all %d snapshots in %s%s match their checksum files and are sound (%d bytes "
                    + "read in %d s)", check.checked(), directory.path(), offsiteRead, check.bytes(), took.toSeconds());
        }
    }
}
