package dev.snapshotter.snapshot;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.snapshotter.config.QdrantConfig;
import dev.snapshotter.qdrant.SnapshotArchive;
import dev.snapshotter.store.SnapshotCatalog;
import dev.snapshotter.store.SnapshotCatalog.IntegrityCheck;
import dev.snapshotter.store.SnapshotCatalog.Verification;
import dev.snapshotter.store.SnapshotDirectory;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduler;

/**
 * {@code QDRANT_SNAPSHOT_VERIFY_SCHEDULE}: integrity checks of the whole directory on Quarkus's scheduler, once the
 * boot has settled. Each re-reads every listed snapshot and backup set against its checksum file, with the offline
 * archive check, as {@code POST /api/snapshots/{file}/verify} does one: a backup that rotted on disk is marked (never
 * restored, never taken for the newest) and counted in {@code snapshotter_snapshots_failing_verification} before a
 * restore needs it; a good copy put back is unmarked by the next check. It runs beside snapshot runs (it only reads,
 * and a snapshot retention deletes meanwhile is skipped), one check at a time. The {@code every <duration>} form is due
 * one interval after the last check the directory records ({@code .integrity.json}), at once when there is none
 * ({@link Cadence}).
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
    /** Shutdown has begun: a check going stops after the file it reads, and records nothing. */
    private volatile boolean stopping;

    IntegrityChecks(QdrantConfig config, Scheduler scheduler, SnapshotCatalog catalog, SnapshotDirectory directory,
            SnapshotMetrics metrics, BootSnapshot boot) {
        this.config = config;
        this.scheduler = scheduler;
        this.catalog = catalog;
        this.directory = directory;
        this.metrics = metrics;
        this.boot = boot;
    }

    void onStart(@Observes StartupEvent event) {
        lastStarted().ifPresent(metrics::integrityChecked);
        config.snapshot().verifySchedule().ifPresent(schedule -> {
            Cadence.schedule(scheduler, JOB, schedule, "integrity check", this::lastStarted, boot, this::check);
            LOG.infof("Integrity checks of %s scheduled %s", config.snapshot().dir(), schedule);
        });
    }

    /** When the last check the directory records started. */
    private Optional<Instant> lastStarted() {
        return catalog.lastIntegrityCheck().map(last -> Instant.parse(last.startedAt()));
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
    }

    /**
     * Re-reads every listed snapshot and set once; records, logs and publishes what it found.
     *
     * @return the record, or null when shutdown stopped it (nothing recorded)
     */
    IntegrityCheck check() {
        Instant started = Instant.now();
        int checked = 0;
        long bytes = 0;
        List<String> failed = new ArrayList<>();
        for (SnapshotCatalog.Entry entry : catalog.list()) {
            if (stopping) {
                LOG.infof("Integrity check stopped by shutdown after %d snapshots; the next check reads them all", checked);
                return null;
            }
            Optional<Verification> verification;
            try {
                verification = catalog.verifyIfListed(entry, SnapshotArchive::new);
            } catch (IOException e) {
                // its mark could not be written: the directory itself fails (logged by the re-read as it failed)
                LOG.errorf("Integrity check: %s could not be marked: %s", entry.fileName(), e.getMessage());
                verification = Optional.of(new Verification(entry.fileName(), false, null, entry.sha256(),
                        e.getMessage()));
            }
            if (verification.isEmpty()) {
                continue; // deleted meanwhile (retention, DELETE): no finding
            }
            checked++;
            bytes += entry.bytes();
            if (!verification.get().verified()) {
                failed.add(entry.fileName());
            }
        }
        Instant finished = Instant.now();
        IntegrityCheck check = new IntegrityCheck(started.toString(), finished.toString(), checked, bytes,
                List.copyOf(failed));
        try {
            catalog.recordIntegrityCheck(check);
        } catch (IOException | IllegalStateException e) {
            LOG.warnf("Integrity check: its record could not be written in %s (%s); the `every` schedule counts "
                    + "from the last one recorded", config.snapshot().dir(), e.getMessage());
        }
        metrics.integrityChecked(started);
        long seconds = Duration.between(started, finished).toSeconds();
        if (failed.isEmpty()) {
            LOG.infof("Integrity check: all %d snapshots in %s match their checksum files and are sound (%d bytes "
                    + "read in %d s)", checked, directory.path(), bytes, seconds);
        } else {
            LOG.errorf("Integrity check: %d of %d snapshots in %s fail verification: %s. Each is marked (never "
                    + "restored; GET /api/snapshots shows it): put a good copy back (from off-site) or delete it",
                    failed.size(), checked, directory.path(), String.join(", ", failed));
        }
        return check;
    }
}
