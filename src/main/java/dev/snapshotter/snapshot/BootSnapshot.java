package dev.snapshotter.snapshot;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import org.jboss.logging.Logger;

import dev.snapshotter.config.BoundedDuration;
import dev.snapshotter.config.QdrantConfig;
import dev.snapshotter.snapshot.SnapshotReport.Reason;
import dev.snapshotter.store.SnapshotCatalog;
import dev.snapshotter.store.SnapshotDirectory;
import dev.snapshotter.store.SnapshotFailure;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
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
    static final Duration FIRST_RETRY = Duration.ofSeconds(2);
    static final Duration MAX_RETRY = Duration.ofMinutes(5);

    private final QdrantConfig config;
    private final SnapshotDirectory directory;
    private final SnapshotCatalog catalog;
    private final QdrantSnapshotTarget target;
    private final SnapshotService service;
    private final BootStep step;
    private volatile SnapshotReport result;
    private volatile BootStep.Outcome prepared;
    private volatile Retrying retrying;
    /** When the boot step is tried again, while it waits to be ({@link #prepareLater}); null otherwise. */
    private volatile Instant prepareAgainAt;
    /** The run of the boot step's last try that said it tries again, which the next such one replaces in the history. */
    private volatile String waited;
    /**
     * The boot's own thread: the attempt (a long blocking run) and, with {@code QDRANT_SNAPSHOT_ON_START_REQUIRED},
     * its retries at their time; it ends once the boot snapshot has settled. Not a shared pool: a boot snapshot may
     * take half an hour.
     */
    private final ScheduledThreadPoolExecutor worker = bootThread();

    private static ScheduledThreadPoolExecutor bootThread() {
        ScheduledThreadPoolExecutor thread = new ScheduledThreadPoolExecutor(1, task -> {
            Thread boot = new Thread(task, "boot-snapshot");
            boot.setDaemon(true);
            return boot;
        });
        thread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return thread;
    }

    BootSnapshot(QdrantConfig config, SnapshotDirectory directory, SnapshotCatalog catalog,
            QdrantSnapshotTarget target, SnapshotService service, Instance<BootStep> steps) {
        this.config = config;
        this.directory = directory;
        this.catalog = catalog;
        this.target = target;
        this.service = service;
        this.step = steps.stream().filter(BootStep::enabled).findFirst().orElse(null);
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
        catalog.warnUnlisted(catalog.unlisted());
        if (step != null) {
            // the step (a restore of a missing collection) and then the boot snapshot hold the slot from here on
            SnapshotService.Run first = service.begin(Reason.STARTUP);
            worker.execute(() -> prepareThenAttempt(first, FIRST_RETRY));
            return;
        }
        if (!config.snapshot().onStart()) {
            LOG.info("Boot snapshot disabled (QDRANT_SNAPSHOT_ON_START is off)");
            result = SnapshotReport.skipped(Reason.STARTUP, Instant.now());
            // the last success is the newest verified file of the collection QDRANT_COLLECTION points at now, so
            // it waits until Qdrant can resolve an alias
            worker.execute(() -> {
                try {
                    target.awaitAvailable(config.waitTimeout(), new Cancellation());
                    target.refreshLastSuccess(new Cancellation());
                } catch (SnapshotFailure e) {
                    LOG.warnf("The last success stays unknown until the first run: %s", e.getMessage());
                } finally {
                    worker.shutdown();
                }
            });
            return;
        }
        // take the single-flight slot now, so no manual trigger can run before the boot snapshot; a recent enough
        // snapshot (QDRANT_SNAPSHOT_ON_START_MIN_INTERVAL) is looked for once the alias is resolved, in the run
        SnapshotService.Run first = service.begin(Reason.STARTUP);
        worker.execute(() -> attempt(first, 1, FIRST_RETRY, null));
    }

    /**
     * The boot step, once Qdrant is ready, then the boot snapshot when it is on and the step did nothing. A step that
     * did something settles the boot without a snapshot; one that failed keeps {@code /q/health/started} DOWN. When
     * Qdrant is not ready within {@code QDRANT_WAIT_TIMEOUT}, or the step could not tell what to do, startup stays
     * DOWN and the step is tried again after {@code backoff} (doubling up to {@link #MAX_RETRY}), the slot free and
     * snapshots held meanwhile: the app beside this one starts as soon as Qdrant lets the step end, not at a restart.
     */
    private void prepareThenAttempt(SnapshotService.Run first, Duration backoff) {
        BootStep.Outcome outcome;
        try {
            LOG.infof("Boot: waiting up to %s for Qdrant at %s", BoundedDuration.describe(config.waitTimeout()),
                    config.url());
            target.awaitAvailable(config.waitTimeout(), first.cancellation());
            outcome = step.run(first);
        } catch (SnapshotFailure | BootStep.NotYet e) {
            if (prepareLater(first, backoff, e.getMessage())) {
                return;
            }
            outcome = new BootStep.Outcome(true, "Startup stays DOWN: " + e.getMessage(), null);
        } catch (RuntimeException e) {
            outcome = new BootStep.Outcome(true, "Startup stays DOWN: the boot step failed unexpectedly: " + e, null);
        }
        service.hold(null); // held only while the step waited to be tried again
        prepareAgainAt = null;
        prepared = null;
        if (outcome == null && config.snapshot().onStart()) {
            attempt(first, 1, FIRST_RETRY, null);
            return;
        }
        if (outcome == null) { // nothing to do, and no boot snapshot: the run did nothing either
            SnapshotReport skipped = SnapshotReport.skipped(Reason.STARTUP, Instant.now());
            first.finish(skipped);
            first.close();
            result = skipped; // startup goes UP once the slot is free, so a run asked for then is not refused
        } else if (outcome.failed()) {
            first.failed(outcome.message()); // the run says why, unless a restore's report does
            first.close();
            prepared = outcome;
            LOG.error(outcome.message());
            service.hold("No snapshot is taken: the boot did not end its check or restore of collection `"
                    + config.collection() + "` (QDRANT_SNAPSHOT_RESTORE_IF_MISSING; GET /q/health/started says why), "
                    + "so Qdrant may hold part of a backup in it, and a snapshot of that would be the newest backup, "
                    + "which retention keeps in place of good ones. Snapshots resume at the boot that ends it: act on "
                    + "what the check says, then restart the service, or restore the collection");
            return; // the worker stays for checkAgain
        } else {
            first.close();
            prepared = outcome;
            result = service.skip(Reason.STARTUP, outcome.message(), outcome.file());
        }
        try {
            target.refreshLastSuccess(new Cancellation());
        } catch (SnapshotFailure e) {
            LOG.warnf("The last success stays unknown until the first run: %s", e.getMessage());
        }
        worker.shutdown();
    }

    /**
     * A restore other than the boot's made the collection whole after the boot step failed on it ({@code why}): the
     * step is tried again, shortly (the restore holds the slot until it ends), so startup goes UP and snapshots resume
     * without a restart; whether it is. Nothing otherwise: a step waiting to be tried again is tried at its time.
     */
    public synchronized boolean checkAgain(String why) {
        BootStep.Outcome failed = prepared;
        return step != null && result == null && prepareAgainAt == null && failed != null && failed.failed()
                && prepareLater(null, FIRST_RETRY, why);
    }

    /**
     * Frees the slot and tries the step again after {@code backoff}, startup DOWN saying why and snapshots held
     * meanwhile (what Qdrant holds is not known yet); false once shutdown has begun.
     */
    private boolean prepareLater(SnapshotService.Run first, Duration backoff, String why) {
        if (service.shuttingDown()) {
            return false;
        }
        Instant at = Instant.now().plus(backoff);
        String message = "Startup stays DOWN: " + why + "; the boot tries again at " + at;
        service.hold("No snapshot is taken: the boot has not ended its check or restore of collection `"
                + config.collection() + "` yet (QDRANT_SNAPSHOT_RESTORE_IF_MISSING; GET /q/health/started says why)");
        prepared = new BootStep.Outcome(true, message, null);
        prepareAgainAt = at;
        if (first != null) {
            first.refused(message); // listed in the runs with why, in place of the try before
            if (waited != null) {
                first.replaces(waited);
            }
            waited = first.id();
            first.close();
        }
        LOG.warn(message);
        Duration next = Cadence.doubled(backoff, MAX_RETRY);
        try {
            worker.schedule(() -> {
                SnapshotService.Run again;
                try {
                    again = service.begin(Reason.STARTUP);
                } catch (SnapshotInProgressException e) {
                    prepareLater(null, next, why); // a restore going: the look waits for it to end
                    return;
                } catch (ShuttingDownException e) {
                    return;
                }
                prepareThenAttempt(again, next);
            }, backoff.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            return true; // shutdown began meanwhile: startup stays DOWN, as it says
        }
        return true;
    }

    /**
     * One attempt of the boot snapshot, on the boot thread; with {@code QDRANT_SNAPSHOT_ON_START_REQUIRED}, a failed
     * attempt schedules the next one after {@code backoff} (doubling up to {@link #MAX_RETRY}) instead of sleeping.
     *
     * @param run the single-flight slot, or null when another run held it (this attempt then fails as the last did)
     * @param last the last attempt's report, or null
     */
    private void attempt(SnapshotService.Run run, int number, Duration backoff, SnapshotReport last) {
        SnapshotReport report = run == null ? last : null; // the slot was busy: the last failure still stands
        if (run != null) {
            try (SnapshotService.Run held = run) {
                LOG.infof("Boot snapshot: waiting up to %s for Qdrant at %s",
                        BoundedDuration.describe(config.waitTimeout()), config.url());
                report = held.execute(config.waitTimeout(), config.snapshot().onStartMinInterval().orElse(null));
            } catch (RuntimeException e) {
                LOG.errorf("Boot snapshot attempt %d failed unexpectedly: %s", number, e);
            }
        }
        if (report == null) {
            report = new SnapshotReport(Reason.STARTUP, SnapshotReport.Status.FAILED, Instant.now(), 0, List.of());
        }
        boolean succeeded = report.status() != SnapshotReport.Status.FAILED;
        if (succeeded || !config.snapshot().onStartRequired() || service.shuttingDown()) {
            settle(report);
            return;
        }
        retrying = new Retrying(number, report, Instant.now().plus(backoff));
        LOG.warnf("Boot snapshot attempt %d failed; QDRANT_SNAPSHOT_ON_START_REQUIRED keeps startup DOWN and "
                + "retries in %s", number, BoundedDuration.describe(backoff));
        SnapshotReport failed = report;
        Duration next = Cadence.doubled(backoff, MAX_RETRY);
        try {
            worker.schedule(() -> retry(number + 1, next, failed), backoff.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            settle(failed); // shutdown began meanwhile
        }
    }

    private void retry(int number, Duration backoff, SnapshotReport last) {
        SnapshotService.Run again;
        try {
            again = service.begin(Reason.STARTUP);
        } catch (SnapshotInProgressException e) {
            again = null; // a manual or scheduled run holds the slot: this attempt counts as failed, try later
        } catch (ShuttingDownException e) {
            settle(last);
            return;
        }
        attempt(again, number, backoff, last);
    }

    private void settle(SnapshotReport report) {
        retrying = null;
        result = report;
        worker.shutdown();
    }

    /** Shutdown began: a retry waiting for its time is dropped, and the last failure is the boot's result. */
    void onShutdown(@Observes ShutdownDelayInitiatedEvent event) {
        Retrying waiting = retrying;
        worker.shutdown(); // a waiting retry never starts (see the worker's policy); an attempt going finishes
        if (waiting != null && result == null) {
            settle(waiting.last());
        }
    }

    /** The boot attempt's report once it has settled (whatever its outcome), empty before. */
    public Optional<SnapshotReport> result() {
        return Optional.ofNullable(result);
    }

    /** What the boot step did (a restore), empty when it did nothing or there is none. */
    public Optional<BootStep.Outcome> prepared() {
        return Optional.ofNullable(prepared);
    }

    /** When the boot step (a restore of a missing collection) is tried again, while it waits to be. */
    public Optional<Instant> prepareAgainAt() {
        return Optional.ofNullable(prepareAgainAt);
    }

    /** A required boot snapshot being retried, while it has not succeeded. */
    public Optional<Retrying> retrying() {
        return Optional.ofNullable(retrying);
    }
}
