package dev.snapshotter.snapshot;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.snapshotter.config.BoundedDuration;
import dev.snapshotter.config.QdrantConfig;
import dev.snapshotter.snapshot.SnapshotReport.Reason;
import dev.snapshotter.store.SnapshotDirectory;
import dev.snapshotter.store.SnapshotFailure;

import io.quarkus.runtime.StartupEvent;

/**
 * The boot snapshot. At startup it proves the snapshot directory usable and ours alone (boot fails otherwise, before
 * anything reaches Qdrant); then, when {@code QDRANT_SNAPSHOT_ON_START} is on, it takes exactly one snapshot in the
 * background, so the HTTP server and probes come up at once while readiness waits for it.
 * {@code QDRANT_SNAPSHOT_ON_START_MIN_INTERVAL} skips it when a recent enough verified snapshot of the collection
 * {@code QDRANT_COLLECTION} points at now exists; {@code QDRANT_SNAPSHOT_ON_START_REQUIRED} retries it until it
 * succeeds. The last success is taken from the newest verified file of that collection, once the alias is resolved.
 */
@ApplicationScoped
public class BootSnapshot {

    private static final Logger LOG = Logger.getLogger(BootSnapshot.class);
    static final Duration FIRST_RETRY = Duration.ofSeconds(5);
    static final Duration MAX_RETRY = Duration.ofMinutes(5);

    private final QdrantConfig config;
    private final SnapshotDirectory directory;
    private final QdrantSnapshotTarget target;
    private final SnapshotService service;
    private volatile SnapshotReport result;
    private volatile Retrying retrying;

    BootSnapshot(QdrantConfig config, SnapshotDirectory directory, QdrantSnapshotTarget target,
            SnapshotService service) {
        this.config = config;
        this.directory = directory;
        this.target = target;
        this.service = service;
    }

    /**
     * A required boot snapshot that failed and is being retried.
     *
     * @param attempts how many attempts failed so far
     * @param last the last failed attempt's report
     * @param nextAttemptAt when the next attempt starts
     */
    public record Retrying(int attempts, SnapshotReport last, Instant nextAttemptAt) {
    }

    void onStart(@Observes StartupEvent event) {
        // fails boot with a sentence naming the variable; holds the directory's lock for the process's life
        LOG.infof("Snapshots go to %s", directory.prepare());
        if (!config.snapshot().onStart()) {
            LOG.info("Boot snapshot disabled (QDRANT_SNAPSHOT_ON_START is off)");
            result = SnapshotReport.skipped(Reason.STARTUP, Instant.now());
            // the last success is the newest verified file of the collection QDRANT_COLLECTION points at now, so
            // it waits until Qdrant can resolve an alias
            background("last-success", () -> {
                try {
                    target.awaitAvailable(config.waitTimeout(), new Cancellation());
                    target.refreshLastSuccess(new Cancellation());
                } catch (SnapshotFailure e) {
                    LOG.warnf("The last success stays unknown until the first run: %s", e.getMessage());
                }
            });
            return;
        }
        // take the single-flight slot now, so no manual trigger can run before the boot snapshot; a recent enough
        // snapshot (QDRANT_SNAPSHOT_ON_START_MIN_INTERVAL) is looked for once the alias is resolved, in the run
        SnapshotService.Run first = service.begin(Reason.STARTUP);
        background("boot-snapshot", () -> attempts(first));
    }

    private static void background(String name, Runnable task) {
        Thread worker = new Thread(task, name);
        worker.setDaemon(true);
        worker.start();
    }

    private void attempts(SnapshotService.Run first) {
        SnapshotService.Run run = first;
        Duration backoff = FIRST_RETRY;
        SnapshotReport last = null;
        for (int attempt = 1;; attempt++) {
            SnapshotReport report = run == null ? last : null; // the slot was busy: the last failure still stands
            if (run != null) {
                try (SnapshotService.Run held = run) {
                    LOG.infof("Boot snapshot: waiting up to %s for Qdrant at %s",
                            BoundedDuration.describe(config.waitTimeout()), config.url());
                    report = held.execute(config.waitTimeout(), config.snapshot().onStartMinInterval().orElse(null));
                } catch (RuntimeException e) {
                    LOG.errorf("Boot snapshot attempt %d failed unexpectedly: %s", attempt, e);
                }
            }
            if (report == null) {
                report = new SnapshotReport(Reason.STARTUP, SnapshotReport.Status.FAILED, Instant.now(), 0, List.of());
            }
            last = report;
            boolean succeeded = report.status() != SnapshotReport.Status.FAILED;
            if (succeeded || !config.snapshot().onStartRequired() || service.shuttingDown()) {
                retrying = null;
                result = report;
                return;
            }
            Instant next = Instant.now().plus(backoff);
            retrying = new Retrying(attempt, report, next);
            LOG.warnf("Boot snapshot attempt %d failed; QDRANT_SNAPSHOT_ON_START_REQUIRED keeps startup DOWN and "
                    + "retries in %s", attempt, BoundedDuration.describe(backoff));
            if (!pause(backoff)) {
                result = report;
                return;
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : backoff.multipliedBy(2);
            try {
                run = service.begin(Reason.STARTUP);
            } catch (SnapshotInProgressException e) {
                run = null; // a manual or scheduled run holds the slot: this attempt counts as failed, try later
            } catch (ShuttingDownException e) {
                result = report;
                return;
            }
        }
    }

    /** Sleeps, waking early when shutdown begins; false when the service is shutting down. */
    private boolean pause(Duration length) {
        long until = System.nanoTime() + length.toNanos();
        while (System.nanoTime() < until) {
            if (service.shuttingDown()) {
                return false;
            }
            try {
                Thread.sleep(Math.min(200, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                return false;
            }
        }
        return !service.shuttingDown();
    }

    /** The boot attempt's report once it has settled (whatever its outcome), empty before. */
    public Optional<SnapshotReport> result() {
        return Optional.ofNullable(result);
    }

    /** A required boot snapshot being retried, while it has not succeeded. */
    public Optional<Retrying> retrying() {
        return Optional.ofNullable(retrying);
    }
}
