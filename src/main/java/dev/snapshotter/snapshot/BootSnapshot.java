package dev.snapshotter.snapshot;

import java.time.Instant;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.snapshotter.config.QdrantConfig;
import dev.snapshotter.qdrant.QdrantException;
import dev.snapshotter.snapshot.SnapshotReport.Reason;
import io.quarkus.runtime.StartupEvent;

/**
 * The boot snapshot. At startup it proves the snapshot directory usable (boot fails otherwise, before anything
 * reaches Qdrant); then, when {@code QDRANT_SNAPSHOT_ON_START} is on, it takes exactly one snapshot in the
 * background, so the HTTP server and probes come up at once while readiness waits for it.
 */
@ApplicationScoped
public class BootSnapshot {

    private static final Logger LOG = Logger.getLogger(BootSnapshot.class);

    private final QdrantConfig config;
    private final SnapshotDirectory directory;
    private final SnapshotService service;
    private volatile SnapshotReport result;

    BootSnapshot(QdrantConfig config, SnapshotDirectory directory, SnapshotService service) {
        this.config = config;
        this.directory = directory;
        this.service = service;
    }

    void onStart(@Observes StartupEvent event) {
        try {
            LOG.infof("Snapshots go to %s", directory.prepare());
        } catch (IllegalStateException e) {
            LOG.error(e.getMessage()); // the sentence first, before Quarkus's stack trace
            throw e;
        }
        if (!config.snapshot().onStart()) {
            LOG.info("Boot snapshot disabled (QDRANT_SNAPSHOT_ON_START is off)");
            result = SnapshotReport.skipped(Reason.STARTUP, Instant.now());
            return;
        }
        // take the single-flight slot now, so no manual trigger can run before the boot snapshot
        SnapshotService.Run run = service.begin(Reason.STARTUP);
        Thread worker = new Thread(() -> {
            SnapshotReport report = null;
            try (run) {
                LOG.infof("Boot snapshot: waiting up to %s for Qdrant at %s",
                        QdrantException.describe(config.waitTimeout()), config.url());
                report = run.execute(config.waitTimeout());
            } finally {
                result = report != null ? report
                        : new SnapshotReport(Reason.STARTUP, SnapshotReport.Status.FAILED, Instant.now(), 0,
                                java.util.List.of());
            }
        }, "boot-snapshot");
        worker.setDaemon(true);
        worker.start();
    }

    /** The boot attempt's report once it has settled (whatever its outcome), empty before. */
    public Optional<SnapshotReport> result() {
        return Optional.ofNullable(result);
    }
}
